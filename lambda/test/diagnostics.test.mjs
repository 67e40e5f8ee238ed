// The diagnostics a smoke test reads (`x-cachedemo-diagnostics: 1`): where a hit came from,
// whether the instance copy is on and, when a server refuses tracking, why not; and the one
// warning per connection that says so. Against real redis-servers that track, refuse
// CLIENT TRACKING by ACL, or have no CLIENT command at all (as ElastiCache may answer).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHandler } from '../src/index.mjs';
import { apiEvent, memoryLog, suiteServers } from './helpers.mjs';

const diagnosed = (p, method = 'GET', name = 'x-cachedemo-diagnostics') => ({ ...apiEvent(p, method), headers: { [name]: '1' } });
const DIAGNOSTIC = ['x-cache-from', 'x-cache-instance-copy'];
/** The warnings that the instance copy is off. */
const copyWarnings = (h) => h.log.records.filter((r) => r.level === 'warn' && /instance copy off/.test(r.message));

/** A miss and three hits, all with diagnostics: the hits' x-cache-from and the copy header. */
async function missThenHits(h, p) {
  const miss = await h(diagnosed(p));
  assert.equal(miss.headers['x-cache'], 'MISS');
  assert.equal(miss.headers['x-cache-from'], undefined, 'x-cache-from is for hits');
  const hits = [];
  for (let i = 0; i < 3; i++) hits.push(await h(diagnosed(p)));
  assert.ok(hits.every((r) => r.statusCode === 200 && r.headers['x-cache'] === 'HIT'));
  return { miss, hits };
}

/** The contract on the copy header's value when off: one line of printable ASCII, a short reason. */
function assertOff(value, reason) {
  const [, text] = /^off; (.+)$/.exec(value) ?? [];
  assert.ok(text, `not "off; <reason>": ${value}`);
  assert.match(text, /^[\x20-\x7e]{1,200}$/);
  assert.match(text, reason);
}

describe('diagnostics, on a server that tracks', () => {
  const servers = suiteServers({}, { CACHE_TTL_SECONDS: '60' });

  test('the copy is on, and a repeat hit comes from the instance; HEAD too', async () => {
    const h = await servers.make();
    const { miss, hits } = await missThenHits(h, '/diag');
    assert.equal(miss.headers['x-cache-instance-copy'], 'on');
    assert.deepEqual(hits.map((r) => r.headers['x-cache-from']), ['redis', 'instance', 'instance']);
    assert.ok(hits.every((r) => r.headers['x-cache-instance-copy'] === 'on'));
    const head = await h(diagnosed('/diag', 'HEAD', 'X-CacheDemo-Diagnostics'));
    assert.equal(head.body, '');
    assert.equal(head.headers['x-cache-from'], 'instance', 'the header name is matched in any case');
    assert.equal(head.headers['x-cache-instance-copy'], 'on');
    assert.deepEqual(copyWarnings(h), []);
    assert.deepEqual(h.redis.instanceCopy, { on: true, reason: null });
  });

  test('without the request header (or with another value), no diagnostic header is sent', async () => {
    const h = await servers.make();
    const plain = (p, method) => apiEvent(p, method);
    const responses = [
      await h(plain('/quiet')), await h(plain('/quiet')), await h(plain('/quiet')), await h(plain('/quiet', 'HEAD')),
      await h({ ...apiEvent('/quiet'), headers: { 'x-cachedemo-diagnostics': '0' } }),
      await h(plain('/quiet', 'POST')), await h(plain('/quiet', 'DELETE')),
    ];
    assert.equal(responses[2].headers['x-cache'], 'HIT');
    assert.equal(h.log.records[2].from, 'instance', 'the third request was a hit from the copy');
    for (const r of responses) for (const name of DIAGNOSTIC) assert.equal(r.headers[name], undefined, name);
  });

  test('a request that asked does not leak the headers to one sharing its upstream call', async () => {
    const h = await servers.make();
    const [asked, quiet] = await Promise.all([h(diagnosed('/gated/shared')), h(apiEvent('/gated/shared'))]);
    assert.equal(servers.upstream.callsTo('/gated/shared'), 1);
    assert.equal(asked.headers['x-cache-instance-copy'], 'on');
    assert.equal(quiet.headers['x-cache-instance-copy'], undefined);
  });

  test('CACHE_LOCAL_MAX_BYTES=0: off, and says so', async () => {
    const h = await servers.make({ CACHE_LOCAL_MAX_BYTES: '0' });
    const { miss, hits } = await missThenHits(h, '/no-copy');
    assert.equal(miss.headers['x-cache-instance-copy'], 'off; turned off (CACHE_LOCAL_MAX_BYTES=0)');
    assert.ok(hits.every((r) => r.headers['x-cache-from'] === 'redis'));
  });

  test('no cache configured: off, and says so', async () => {
    const h = createHandler({ env: { EXTERNAL_API_URL: servers.upstream.url }, log: memoryLog() });
    const r = await h(diagnosed('/no-cache'));
    assert.equal(r.headers['x-cache'], 'BYPASS');
    assertOff(r.headers['x-cache-instance-copy'], /no cache is configured/);
  });
});

describe('diagnostics, for a user whose ACL denies CLIENT TRACKING only', () => {
  const servers = suiteServers({}, { CACHE_TTL_SECONDS: '60', REDIS_BACKOFF_MAX_MS: '50' });
  const user = { REDIS_USERNAME: 'no-tracking', REDIS_AUTH_TOKEN: 'tracking-denied-0123456789' };
  const addUser = () => servers.check.command(['ACL', 'SETUSER', 'no-tracking', 'on', '>tracking-denied-0123456789', '~*', '+@all', '-client|tracking']);

  test('hits keep coming, from redis, one round trip each; the header and the warning say why', async () => {
    await addUser();
    const h = await servers.make(user);
    const { miss, hits } = await missThenHits(h, '/denied');
    assertOff(miss.headers['x-cache-instance-copy'], /^CLIENT TRACKING refused: NOPERM/);
    assert.ok(hits.every((r) => r.headers['x-cache-from'] === 'redis'));
    const sent = h.redis.commandsSent;
    await h(diagnosed('/denied'));
    assert.equal(h.redis.commandsSent, sent + 2, 'a hit is a round trip (the version and the entry)');
    assert.equal(h.redis.instanceCopy.on, false);
    assert.match(h.redis.instanceCopy.reason, /^CLIENT TRACKING refused: NOPERM .*client\|tracking/);
    assert.ok(!JSON.stringify(h.log.records).includes(user.REDIS_AUTH_TOKEN), 'the token leaked into the log');
  });

  test('the warning is logged once per connection, not per request', async () => {
    await addUser();
    const h = await servers.make(user);
    for (let i = 0; i < 4; i++) await h(apiEvent('/once'));
    const [warning, ...more] = copyWarnings(h);
    assert.deepEqual(more, []);
    assert.equal(warning.level, 'warn');
    assert.match(warning.message, /instance copy off.*CLIENT TRACKING refused/);
    // A new connection says it again.
    await servers.check.command(['CLIENT', 'KILL', 'USER', 'no-tracking']);
    await h(apiEvent('/once')); // notices the closed connection
    while (!(await h.redis.open())) await sleep(20); // past the backoff
    for (let i = 0; i < 3; i++) await h(apiEvent('/once'));
    assert.equal(h.redis.connects, 2);
    assert.equal(copyWarnings(h).length, 2);
  });
});

describe('diagnostics, on a server without the CLIENT command', () => {
  const servers = suiteServers({ args: ['--rename-command', 'CLIENT', ''] }, { CACHE_TTL_SECONDS: '60' });

  test('hits keep coming, from redis; the header says CLIENT TRACKING was refused', async () => {
    const h = await servers.make();
    const { miss, hits } = await missThenHits(h, '/renamed');
    assertOff(miss.headers['x-cache-instance-copy'], /^CLIENT TRACKING refused: ERR unknown command 'CLIENT'/);
    assert.ok(hits.every((r) => r.headers['x-cache-from'] === 'redis'));
    assert.equal(copyWarnings(h).length, 1);
  });
});
