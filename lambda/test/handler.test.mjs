// The handler against a real redis-server (plain and TLS + password) and a real upstream.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheKey } from '../src/key.mjs';
import { apiEvent, freePort, suiteServers } from './helpers.mjs';

for (const mode of ['plain', 'tls']) {
  describe(`handler on ${mode} redis`, () => {
    const servers = suiteServers(mode === 'tls' ? { tls: true, password: 'test-token-0123456789' } : {},
      { CACHE_TTL_SECONDS: '60', REDIS_BACKOFF_MAX_MS: '200' });
    const { make } = servers;

    test('a miss is fetched and stored, the next call is a hit with the same body', async () => {
      const h = await make();
      const first = await h(apiEvent('/people?name=ada'));
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers['x-cache'], 'MISS');
      assert.match(first.headers['content-type'], /application\/json/);
      const second = await h(apiEvent('/people?name=ada'));
      assert.equal(second.headers['x-cache'], 'HIT');
      assert.equal(second.body, first.body);
      assert.equal(second.statusCode, 200);
      assert.match(second.headers.age, /^\d+$/);
      assert.equal(servers.upstream.callsTo('/people'), 1);
      assert.equal(h.redis.connects, 1, 'one connection reused across invocations');
    });

    test('reordered query parameters share one entry', async () => {
      const h = await make();
      await h(apiEvent('/q?a=1&b=2&a=0'));
      const reordered = await h(apiEvent('/q?b=2&a=0&a=1'));
      assert.equal(reordered.headers['x-cache'], 'HIT');
      assert.equal(servers.upstream.callsTo('/q'), 1);
      const other = await h(apiEvent('/q?a=1&b=3'));
      assert.equal(other.headers['x-cache'], 'MISS');
    });

    test('entries expire after CACHE_TTL_SECONDS; 0 means no expiry', async () => {
      const h = await make({ CACHE_TTL_SECONDS: '42', CACHE_STALE_TTL_SECONDS: '0' });
      await h(apiEvent('/ttl'));
      const key = cacheKey({ namespace: 'cachedemo', method: 'GET', path: '/ttl', query: '' });
      const ttl = await servers.check.command(['TTL', key]);
      assert.ok(ttl > 0 && ttl <= 42, `TTL ${ttl}`);
      // Kept past freshness for the stale window (stale-if-error): a day by default.
      const kept = await make({ CACHE_TTL_SECONDS: '42' });
      await kept(apiEvent('/ttl-stale'));
      const keptTTL = await servers.check.command(['TTL', cacheKey({ namespace: 'cachedemo', method: 'GET', path: '/ttl-stale', query: '' })]);
      assert.ok(keptTTL > 86400 && keptTTL <= 86442, `TTL ${keptTTL}`);
      const forever = await make({ CACHE_TTL_SECONDS: '0' });
      await forever(apiEvent('/forever'));
      const key2 = cacheKey({ namespace: 'cachedemo', method: 'GET', path: '/forever', query: '' });
      assert.equal(await servers.check.command(['TTL', key2]), -1);
    });

    for (const code of [404, 500]) {
      test(`an upstream ${code} is passed through and never stored`, async () => {
        const h = await make();
        const a = await h(apiEvent(`/status/${code}`));
        const b = await h(apiEvent(`/status/${code}`));
        assert.equal(a.statusCode, code);
        assert.equal(b.statusCode, code);
        assert.equal(b.headers['x-cache'], 'PASS');
        assert.equal(servers.upstream.callsTo('/status'), 2);
        assert.equal(await servers.check.command(['DBSIZE']), 0);
      });
    }

    test('a slow upstream gives 504 and nothing is stored', async () => {
      const h = await make({ UPSTREAM_TIMEOUT_MS: '150' });
      const r = await h(apiEvent('/slow?ms=2000'));
      assert.equal(r.statusCode, 504);
      assert.equal(JSON.parse(r.body).message.includes('did not answer'), true);
      assert.equal(await servers.check.command(['DBSIZE']), 0);
    });

    test('an unreachable upstream gives 502 and nothing is stored', async () => {
      const closed = await freePort();
      const h = await make({ EXTERNAL_API_URL: `http://127.0.0.1:${closed}` });
      const r = await h(apiEvent('/anything'));
      assert.equal(r.statusCode, 502);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(await servers.check.command(['DBSIZE']), 0);
    });

    test('a body over CACHE_MAX_BODY_BYTES is served but not stored', async () => {
      const h = await make({ CACHE_MAX_BODY_BYTES: '1000' });
      const big = await h(apiEvent('/big?bytes=1001'));
      assert.equal(big.body.length, 1001);
      assert.equal((await h(apiEvent('/big?bytes=1001'))).headers['x-cache'], 'PASS');
      const small = await h(apiEvent('/big?bytes=1000'));
      assert.equal(small.headers['x-cache'], 'MISS');
      assert.equal((await h(apiEvent('/big?bytes=1000'))).headers['x-cache'], 'HIT');
    });

    test('a binary body round-trips through base64, on a miss and on a hit', async () => {
      const h = await make();
      const expected = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('base64');
      const miss = await h(apiEvent('/binary'));
      const hit = await h(apiEvent('/binary'));
      for (const r of [miss, hit]) {
        assert.equal(r.isBase64Encoded, true);
        assert.equal(r.body, expected);
        assert.equal(r.headers['content-type'], 'image/png');
      }
      assert.equal(hit.headers['x-cache'], 'HIT');
    });

    test('concurrent identical misses make one upstream call', async () => {
      const h = await make();
      const results = await Promise.all(Array.from({ length: 25 }, () => h(apiEvent('/gated/one'))));
      assert.equal(servers.upstream.callsTo('/gated/one'), 1);
      assert.equal(new Set(results.map((r) => r.body)).size, 1);
      assert.ok(results.every((r) => r.statusCode === 200 && r.headers['x-cache'] === 'MISS'));
      assert.equal((await h(apiEvent('/gated/one'))).headers['x-cache'], 'HIT');
    });

    test('HEAD is answered from the GET entry without a body; other methods get 405', async () => {
      const h = await make();
      const get = await h(apiEvent('/head-me'));
      const head = await h(apiEvent('/head-me', 'HEAD'));
      assert.equal(head.headers['x-cache'], 'HIT');
      assert.equal(head.body, '');
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
      const post = await h(apiEvent('/head-me', 'POST'));
      assert.equal(post.statusCode, 405);
      assert.equal(servers.upstream.callsTo('/head-me'), 1);
    });

    test('log lines are JSON records with a key hash, never the raw key', async () => {
      const h = await make();
      await h(apiEvent('/secret-path?user=alice'));
      await h(apiEvent('/secret-path?user=alice'));
      const [miss, hit] = h.log.records;
      for (const r of [miss, hit]) {
        assert.match(r.requestId, /^req-/);
        assert.match(r.keyHash, /^[0-9a-f]{16}$/);
        assert.equal(typeof r.latencyMs, 'number');
        assert.ok(!JSON.stringify(r).includes('alice'), 'the raw key leaked into the log');
      }
      assert.equal(miss.cache, 'MISS');
      assert.equal(miss.upstreamStatus, 200);
      assert.equal(miss.stored, true);
      assert.equal(hit.cache, 'HIT');
      assert.equal(miss.keyHash, hit.keyHash);
    });

    test('redis killed mid-test: BYPASS from the upstream, then recovery when it returns', async () => {
      const h = await make();
      assert.equal((await h(apiEvent('/outage'))).headers['x-cache'], 'MISS');
      await servers.redis.stop();
      const during = await h(apiEvent('/outage'));
      assert.equal(during.statusCode, 200);
      assert.equal(during.headers['x-cache'], 'BYPASS');
      assert.ok(h.log.records.some((r) => r.level === 'warn' && /cache unavailable/.test(r.message)));
      const again = await h(apiEvent('/outage'));
      assert.equal(again.headers['x-cache'], 'BYPASS');
      await servers.redis.start();
      servers.check.close();
      servers.check = await servers.redis.client();
      await sleep(250); // past the backoff (REDIS_BACKOFF_MAX_MS=200)
      const after1 = await h(apiEvent('/outage'));
      assert.equal(after1.headers['x-cache'], 'MISS');
      // That request reconnects; until it is done, requests are raced against the upstream.
      assert.equal(await h.redis.open(), true);
      assert.equal((await h(apiEvent('/outage'))).headers['x-cache'], 'HIT');
    });

    test('slow redis: the command times out and the request is served as BYPASS', async () => {
      const h = await make({ REDIS_COMMAND_TIMEOUT_MS: '100' });
      await h(apiEvent('/warm'));
      const blocker = await servers.redis.client();
      let redisAwake = false;
      const sleeping = blocker.command(['DEBUG', 'SLEEP', '0.6']).catch(() => {}).then(() => { redisAwake = true; });
      await sleep(20);
      const r = await h(apiEvent('/during-sleep'));
      assert.equal(r.headers['x-cache'], 'BYPASS');
      assert.equal(r.statusCode, 200);
      // Served while redis was still asleep: the command timeout, not redis, ended the wait.
      assert.equal(redisAwake, false, 'the handler waited for the sleeping redis');
      await sleeping;
      blocker.close();
    });
  });
}

describe('ACL users', () => {
  const servers = suiteServers({});
  test('AUTH with a username and token, as ElastiCache RBAC users do', async () => {
    await servers.check.command(['ACL', 'SETUSER', 'cache-app', 'on', '>app-token-0123456789', '~cachedemo:*', '+@all']);
    const h = await servers.make({ REDIS_USERNAME: 'cache-app', REDIS_AUTH_TOKEN: 'app-token-0123456789' });
    assert.equal((await h(apiEvent('/acl'))).headers['x-cache'], 'MISS');
    assert.equal((await h(apiEvent('/acl'))).headers['x-cache'], 'HIT');
    const whoami = await h.redis.command(['ACL', 'WHOAMI']);
    assert.equal(whoami.toString(), 'cache-app');
  });
});

describe('auth failures', () => {
  const servers = suiteServers({ tls: true, password: 'right-token-0123456789' });
  test('a wrong token is a BYPASS with a warning, not an error', async () => {
    const h = await servers.make({ REDIS_AUTH_TOKEN: 'wrong-token-0123456789' });
    const log = h.log;
    const r = await h(apiEvent('/x'));
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-cache'], 'BYPASS');
    const warning = log.records.find((x) => x.level === 'warn');
    assert.match(warning.message, /WRONGPASS|invalid/i);
    assert.ok(!JSON.stringify(log.records).includes('wrong-token'), 'the token leaked into the log');
  });
});
