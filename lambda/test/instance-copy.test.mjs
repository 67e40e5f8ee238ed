// The instance's copy of the keys it read (server-assisted client-side caching), against a
// real redis-server: hits without a round trip, every kind of change elsewhere reaching the
// copy, the TTL, the size bound, servers without RESP3, and a frozen-then-thawed instance.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheKey } from '../src/key.mjs';
import { encodeEntry } from '../src/entry.mjs';
import { LocalCache } from '../src/local-cache.mjs';
import { apiEvent, functionEnv, keepAliveClient, startFront, suiteServers, purgeAllEvent } from './helpers.mjs';

const keyOf = (p, query = '') => cacheKey({ namespace: 'cachedemo', method: 'GET', path: p, query });

describe('instance copy', () => {
  const servers = suiteServers({ tls: true, password: 'copy-token-0123456789' }, { CACHE_TTL_SECONDS: '60' });
  const { make } = servers;
  /** The log record of the handler's last request. */
  const last = (h) => h.log.records.at(-1);

  test('a repeat hit is answered from the copy, without a round trip to redis', async () => {
    const h = await make();
    assert.equal((await h(apiEvent('/copy'))).headers['x-cache'], 'MISS');
    const fromRedis = await h(apiEvent('/copy'));
    assert.equal(last(h).from, 'redis', 'the first hit after a miss reads redis');
    const sent = h.redis.commandsSent;
    const fromCopy = await h(apiEvent('/copy'));
    assert.equal(fromCopy.headers['x-cache'], 'HIT');
    assert.equal(fromCopy.body, fromRedis.body);
    assert.equal(last(h).from, 'instance');
    assert.equal(h.redis.commandsSent, sent, 'a command went to redis');
    assert.equal(servers.upstream.callsTo('/copy'), 1);
  });

  test('another writer changing or deleting the key reaches the copy', async () => {
    const h = await make();
    await h(apiEvent('/changed'));
    await h(apiEvent('/changed'));
    const replaced = encodeEntry({ status: 200, headers: new Map([['content-type', 'application/json']]), body: Buffer.from('{"v":2}'), storedAt: Date.now(), lifetime: 60 });
    await servers.check.command(['SET', keyOf('/changed'), replaced]);
    await sleep(20);
    const after = await h(apiEvent('/changed'));
    assert.equal(after.body, '{"v":2}');
    assert.equal(last(h).from, 'redis');
    await servers.check.command(['DEL', keyOf('/changed')]);
    await sleep(20);
    assert.equal((await h(apiEvent('/changed'))).headers['x-cache'], 'MISS');
  });

  test('a purge by another instance, of one key or of everything, reaches the copy', async () => {
    const reader = await make(), purger = await make();
    for (const p of ['/one', '/two']) {
      await reader(apiEvent(p));
      await reader(apiEvent(p));
      assert.equal((await reader(apiEvent(p))).headers['x-cache'], 'HIT');
      assert.equal(last(reader).from, 'instance');
    }
    assert.equal((await purger(apiEvent('/one', 'DELETE'))).statusCode, 204);
    await sleep(20);
    assert.equal((await reader(apiEvent('/one'))).headers['x-cache'], 'MISS');
    assert.equal((await reader(apiEvent('/two'))).headers['x-cache'], 'HIT');
    assert.equal((await purger(purgeAllEvent())).statusCode, 204);
    await sleep(20);
    assert.equal((await reader(apiEvent('/two'))).headers['x-cache'], 'MISS');
  });

  test('the instance that purges drops its own copy at once', async () => {
    const h = await make();
    await h(apiEvent('/mine'));
    await h(apiEvent('/mine'));
    assert.equal((await h(purgeAllEvent())).statusCode, 204);
    assert.equal((await h(apiEvent('/mine'))).headers['x-cache'], 'MISS');
  });

  test('an entry older than CACHE_TTL_SECONDS is not served, even when its key outlived it', async () => {
    const h = await make({ CACHE_TTL_SECONDS: '1' });
    await h(apiEvent('/aging'));
    await h(apiEvent('/aging'));
    // The key stays in redis past its time, as it can until the server's expiry cycle runs.
    await servers.check.command(['PERSIST', keyOf('/aging')]);
    await sleep(1100);
    const late = await h(apiEvent('/aging'));
    assert.equal(late.headers['x-cache'], 'MISS');
    assert.equal(servers.upstream.callsTo('/aging'), 2);
  });

  test('a lost connection drops the copy: redis restarted empty means a MISS, not a stale HIT', async () => {
    const h = await make({ REDIS_BACKOFF_MAX_MS: '100' });
    await h(apiEvent('/restart'));
    await h(apiEvent('/restart'));
    await servers.redis.stop();
    await servers.redis.start();
    servers.check.close();
    servers.check = await servers.redis.client();
    // The handler notices the lost connection (BYPASS while it backs off) or reconnects: either
    // way the old copy is gone.
    assert.notEqual((await h(apiEvent('/restart'))).headers['x-cache'], 'HIT');
    await sleep(150);
    assert.equal((await h(apiEvent('/restart'))).headers['x-cache'], 'MISS');
  });

  test('CACHE_LOCAL_MAX_BYTES=0 turns the copy off: every hit is a round trip', async () => {
    const h = await make({ CACHE_LOCAL_MAX_BYTES: '0' });
    await h(apiEvent('/off'));
    await h(apiEvent('/off'));
    const sent = h.redis.commandsSent;
    assert.equal((await h(apiEvent('/off'))).headers['x-cache'], 'HIT');
    assert.equal(last(h).from, 'redis');
    assert.equal(h.redis.commandsSent, sent + 2);
  });
});

describe('instance copy on a server without RESP3', () => {
  const servers = suiteServers({ tls: true, password: 'old-token-0123456789', args: ['--rename-command', 'HELLO', ''] });
  test('HELLO unknown: the connection stays RESP2, every hit from redis', async () => {
    const h = await servers.make();
    assert.equal((await h(apiEvent('/old'))).headers['x-cache'], 'MISS');
    await h(apiEvent('/old'));
    const hit = await h(apiEvent('/old'));
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(h.log.records.at(-1).from, 'redis');
    assert.equal(h.redis.connects, 1);
    assert.match(h.redis.instanceCopy.reason, /^HELLO 3 refused: ERR unknown command 'HELLO'/);
  });
});

describe('instance copy for a user who may not track', () => {
  const servers = suiteServers({ tls: true, password: 'admin-token-0123456789' });
  test('CLIENT denied by ACL: the connection works without the copy, every hit from redis', async () => {
    await servers.check.command(['ACL', 'SETUSER', 'no-client', 'on', '>user-token-0123456789', '~*', '+@all', '-client']);
    const h = await servers.make({ REDIS_USERNAME: 'no-client', REDIS_AUTH_TOKEN: 'user-token-0123456789' });
    assert.equal((await h(apiEvent('/denied'))).headers['x-cache'], 'MISS');
    await h(apiEvent('/denied'));
    assert.equal((await h(apiEvent('/denied'))).headers['x-cache'], 'HIT');
    assert.equal(h.log.records.at(-1).from, 'redis');
    assert.equal(h.redis.connects, 1);
    assert.match(h.redis.instanceCopy.reason, /^CLIENT TRACKING refused: NOPERM/);
  });
});

describe('local cache bound', () => {
  test('holds at most maxBytes, dropping the least recently used first', () => {
    const cache = new LocalCache(3 * (1 + 100 + 64));
    for (const k of ['a', 'b', 'c']) cache.set(k, Buffer.alloc(100));
    assert.ok(cache.get('a'), 'a is read, so b is now the oldest');
    cache.set('d', Buffer.alloc(100));
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(['a', 'c', 'd'].map((k) => cache.get(k) !== undefined), [true, true, true]);
    assert.ok(cache.bytes <= cache.maxBytes);
    cache.set('huge', Buffer.alloc(10_000));
    assert.equal(cache.get('huge'), undefined, 'a value larger than the whole cache is not kept');
    assert.equal(cache.size, 3);
    cache.set('n', null);
    assert.equal(cache.get('n'), null, 'a key redis did not have is remembered as null');
  });
});

describe('a frozen instance', () => {
  const servers = suiteServers({ tls: true, password: 'freeze-token-0123456789' });
  test('thawed with an invalidation and a request both waiting, it applies the invalidation first', async () => {
    // Lambda freezes the sandbox between invocations; SIGSTOP does the same to the local front.
    const front = await startFront({ ...functionEnv(servers.redis, servers.upstream.url), MAX_INSTANCES: '1' });
    const { lines } = front;
    try {
      // One keep-alive connection, as API Gateway keeps to Lambda's invoke path: at the thaw the
      // request is on a socket the front already watches, as the invalidation is.
      const client = keepAliveClient(front.port);
      assert.match((await client.get('/frozen')).head, /x-cache: MISS/i);
      // Hits until the copy holds the entry (after the store, the first hit reads redis; while
      // the new instance still connects, the upstream may answer first); the front's log line
      // for a request lands on its stdout just before the response.
      const lastHitFrom = () => lines.filter((l) => l.cache === 'HIT').at(-1)?.from;
      for (let i = 0; i < 50 && lastHitFrom() !== 'instance'; i++) {
        assert.match((await client.get('/frozen')).head, /x-cache: (HIT|MISS)/i);
        await sleep(10);
      }
      assert.equal(lastHitFrom(), 'instance');

      front.child.kill('SIGSTOP');
      // Stopped for real before the request is sent: a request the front had already taken
      // in hand when it stopped is one in progress, not one waiting at the thaw.
      await untilStopped(front.child.pid);
      const answer = client.get('/frozen');
      await sleep(100);
      await servers.check.command(['DEL', keyOf('/frozen')]);
      await sleep(100);
      front.child.kill('SIGCONT');
      assert.match((await answer).head, /x-cache: MISS/i, 'a deleted entry was served from the copy after the thaw');
      client.close();
    } finally {
      await front.stop();
    }
  });
});

/** Waits until the process is in the stopped state (T in /proc/PID/stat). */
async function untilStopped(pid) {
  for (let i = 0; i < 400; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat[stat.lastIndexOf(')') + 2] === 'T') return;
    await sleep(5);
  }
  throw new Error(`process ${pid} did not stop`);
}
