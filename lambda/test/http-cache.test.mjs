// Issue 22: the cache as an HTTP cache, against a real upstream that sends each caching
// header and a real redis-server, one node and a 3-shard TLS Redis Cluster.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHandler } from '../src/index.mjs';
import { apiEvent, memoryLog, startRedis, startTestCluster, startUpstream } from './helpers.mjs';

/** `/h/<name>` answering with `headers` (and `status`); a path of its own per test. */
function h(name, headers = {}, { status, repeat } = {}) {
  const q = new URLSearchParams();
  if (status) q.set('status', String(status));
  if (repeat) q.set('repeat', String(repeat));
  for (const [k, v] of Object.entries(headers)) q.set(`h.${k}`, v);
  return `/h/${name}?${q}`;
}

function withHeaders(path, headers, method = 'GET') {
  return { ...apiEvent(path, method), headers };
}

const shapes = {
  'one redis-server': async () => {
    const redis = await startRedis();
    return { env: { REDIS_URL: redis.url }, close: () => redis.close(), flush: async () => {
      const c = await redis.client(); await c.command(['FLUSHALL']); c.close();
    } };
  },
  'a 3-shard Redis Cluster': async () => {
    const cluster = await startTestCluster({ shards: 3 });
    return { env: { REDIS_URL: cluster.url, REDIS_AUTH_TOKEN: cluster.password, REDIS_CA_FILE: cluster.caFile, REDIS_CLUSTER: '1' },
      close: () => cluster.close(), flush: async () => {
        for (const port of await cluster.primaries()) { const c = await cluster.client(port); await c.command(['FLUSHALL']); c.close(); }
      } };
  },
};

for (const [shapeName, start] of Object.entries(shapes)) {
  describe(`HTTP caching on ${shapeName}`, () => {
    let shape, upstream;
    const handlers = [];
    const make = async (env = {}) => {
      const log = memoryLog();
      const handler = createHandler({ env: { EXTERNAL_API_URL: upstream.url, CACHE_TTL_SECONDS: '60', ...shape.env, ...env }, log });
      handler.log = log;
      handlers.push(handler);
      await handler.redis.open();
      return handler;
    };
    before(async () => { shape = await start(); upstream = await startUpstream(); });
    beforeEach(async () => { await shape.flush(); upstream.calls.length = 0; upstream.requests.length = 0; });
    after(async () => { for (const x of handlers) x.close(); await upstream.close(); await shape.close(); });

    for (const [what, headers] of [
      ['no-store', { 'cache-control': 'no-store' }], ['private', { 'cache-control': 'private, max-age=600' }],
      ['no-cache', { 'cache-control': 'no-cache' }], ['Set-Cookie', { 'set-cookie': 'sid=abc; HttpOnly' }], ['Vary: *', { vary: '*' }],
    ]) {
      test(`${what} is never stored, even with --min-ttl: PASS each time`, async () => {
        const cache = await make({ CACHE_MIN_TTL_SECONDS: '600' });
        const path = h(`never-${what.replace(/\W/g, '')}`, headers);
        const a = await cache(apiEvent(path));
        const b = await cache(apiEvent(path));
        assert.deepEqual([a.headers['x-cache'], b.headers['x-cache']], ['PASS', 'PASS']);
        assert.equal(upstream.callsTo('/h/never'), 2);
      });
    }

    test('a Set-Cookie answer: the cookie goes to its own request only, in cookies, never as a header', async () => {
      const cache = await make();
      const r = await cache(apiEvent(h('cookie', { 'set-cookie': 'sid=abc; HttpOnly' })));
      assert.deepEqual(r.cookies, ['sid=abc; HttpOnly']);
      assert.equal(r.headers['set-cookie'], undefined);
    });

    test('--cache-control ignore: one fixed TTL, no-cache stored; no-store and private still never', async () => {
      const cache = await make({ CACHE_CONTROL: 'ignore' });
      for (const cc of ['no-store', 'private, max-age=60']) {
        const own = h(`own-${cc.length}`, { 'cache-control': cc });
        await cache(apiEvent(own));
        assert.equal((await cache(apiEvent(own))).headers['x-cache'], 'PASS', cc);
      }
      const path = h('ignored', { 'cache-control': 'no-cache, max-age=1' });
      await cache(apiEvent(path));
      await sleep(1100);
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'HIT');
      assert.equal(upstream.callsTo('/h/ignored'), 1);
    });

    test('max-age=1 is the lifetime, not --cache-ttl; without a validator the next is a MISS', async () => {
      const cache = await make();
      const path = h('short', { 'cache-control': 'max-age=1' });
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'MISS');
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'HIT');
      await sleep(1100);
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'MISS');
      assert.equal(upstream.callsTo('/h/short'), 2);
    });

    test('s-maxage wins over max-age; the upstream\'s Age counts against it', async () => {
      const cache = await make();
      const path = h('aged', { 'cache-control': 'max-age=1, s-maxage=600', age: '598' });
      await cache(apiEvent(path));
      const hit = await cache(apiEvent(path));
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.ok(Number(hit.headers.age) >= 598, `age ${hit.headers.age}`);
      await sleep(2100);
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'MISS', 'stale once 600 s old');
    });

    test('Expires minus Date is the lifetime when Cache-Control says none', async () => {
      const cache = await make();
      const now = Date.now();
      const path = h('expires', { date: new Date(now).toUTCString(), expires: new Date(now + 1000).toUTCString() });
      await cache(apiEvent(path));
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'HIT');
      await sleep(1600);
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'MISS');
    });

    test('--min-ttl raises and --max-ttl lowers what the upstream says; silence gets --cache-ttl', async () => {
      const cache = await make({ CACHE_MIN_TTL_SECONDS: '2', CACHE_MAX_TTL_SECONDS: '3', CACHE_TTL_SECONDS: '1' });
      const raised = h('raised', { 'cache-control': 'max-age=1' });
      const lowered = h('lowered', { 'cache-control': 'max-age=9000' });
      const silent = h('silent');
      for (const p of [raised, lowered, silent]) await cache(apiEvent(p));
      await sleep(1300);
      assert.equal((await cache(apiEvent(raised))).headers['x-cache'], 'HIT', 'raised to 2 s');
      assert.equal((await cache(apiEvent(silent))).headers['x-cache'], 'MISS', '--cache-ttl 1: the default is not clamped');
      await sleep(2000);
      assert.equal((await cache(apiEvent(lowered))).headers['x-cache'], 'MISS', 'lowered to 3 s');
    });

    test('statuses: 404 passes unless --negative-ttl or explicit freshness; 429 and 5xx never; Retry-After reaches the client', async () => {
      const plain = await make();
      const notFound = h('missing', {}, { status: 404 });
      assert.equal((await plain(apiEvent(notFound))).headers['x-cache'], 'PASS');
      const explicit = h('missing-fresh', { 'cache-control': 'max-age=60' }, { status: 404 });
      await plain(apiEvent(explicit));
      assert.equal((await plain(apiEvent(explicit))).headers['x-cache'], 'HIT');
      const negative = await make({ CACHE_NEGATIVE_TTL_SECONDS: '30' });
      const gone = h('gone', {}, { status: 410 });
      await negative(apiEvent(gone));
      const hit = await negative(apiEvent(gone));
      assert.deepEqual([hit.statusCode, hit.headers['x-cache']], [410, 'HIT']);
      const limited = h('limited', { 'retry-after': '30', 'cache-control': 'max-age=600' }, { status: 429 });
      const r = await plain(apiEvent(limited));
      assert.deepEqual([r.statusCode, r.headers['x-cache'], r.headers['retry-after']], [429, 'PASS', '30']);
      // Its Retry-After holds every instance back: the next miss is a 503 saying how long, the upstream not asked.
      const other = await make();
      const held = await other(apiEvent(h('limited-other')));
      assert.equal(held.statusCode, 503);
      assert.ok(Number(held.headers['retry-after']) > 0 && Number(held.headers['retry-after']) <= 30, held.headers['retry-after']);
      assert.equal(upstream.callsTo('/h/limited'), 1);
      await shape.flush();
      const broken = h('broken', { 'cache-control': 'max-age=600' }, { status: 503 });
      await plain(apiEvent(broken));
      assert.equal((await plain(apiEvent(broken))).headers['x-cache'], 'PASS');
    });

    test('redirects are not followed: the 3xx goes back with its Location; 302 stored only with freshness', async () => {
      const cache = await make();
      const temporary = h('moved', { location: '/elsewhere' }, { status: 302 });
      const first = await cache(apiEvent(temporary));
      assert.deepEqual([first.statusCode, first.headers.location, first.headers['x-cache']], [302, '/elsewhere', 'PASS']);
      assert.equal(upstream.callsTo('/elsewhere'), 0, 'not followed');
      const permanent = h('permanent', { location: 'https://other.test/x' }, { status: 301 });
      await cache(apiEvent(permanent));
      const hit = await cache(apiEvent(permanent));
      assert.deepEqual([hit.statusCode, hit.headers.location, hit.headers['x-cache']], [301, 'https://other.test/x', 'HIT']);
      const fresh302 = h('moved-fresh', { location: '/e', 'cache-control': 'max-age=60' }, { status: 302 });
      await cache(apiEvent(fresh302));
      assert.equal((await cache(apiEvent(fresh302))).headers['x-cache'], 'HIT');
    });

    test('the upstream\'s end-to-end headers come back on a HIT as on the MISS; hop-by-hop ones do not', async () => {
      const cache = await make();
      const sent = { etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', link: '</p?page=2>; rel="next"',
        'content-language': 'de', 'cache-control': 'public, max-age=60', 'x-ratelimit-remaining': '41' };
      const path = h('headers', { ...sent, 'keep-alive': 'timeout=5' });
      const miss = await cache(apiEvent(path));
      const hit = await cache(apiEvent(path));
      assert.equal(hit.headers['x-cache'], 'HIT');
      for (const [name, value] of Object.entries(sent)) {
        assert.equal(miss.headers[name], value, name);
        assert.equal(hit.headers[name], value, name);
      }
      assert.equal(hit.headers['keep-alive'], undefined);
      assert.match(hit.headers.age, /^\d+$/);
    });

    test('If-None-Match and If-Modified-Since against a fresh entry get 304 from the cache (HEAD too)', async () => {
      const cache = await make();
      const path = h('conditional', { etag: 'W/"v7"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'cache-control': 'max-age=60' });
      await cache(apiEvent(path));
      for (const method of ['GET', 'HEAD']) {
        const r = await cache(withHeaders(path, { 'if-none-match': '"v7"' }, method));
        assert.deepEqual([r.statusCode, r.body, r.headers.etag, r.headers['x-cache']], [304, '', 'W/"v7"', 'HIT'], method);
      }
      const since = await cache(withHeaders(path, { 'if-modified-since': 'Thu, 22 Oct 2015 00:00:00 GMT' }));
      assert.equal(since.statusCode, 304);
      const other = await cache(withHeaders(path, { 'if-none-match': '"v8"' }));
      assert.equal(other.statusCode, 200);
      assert.equal(upstream.callsTo('/h/conditional'), 1);
    });

    test('an expired entry with an ETag is revalidated: the upstream\'s 304 refreshes it without a download', async () => {
      const cache = await make();
      const path = h('revalidate', { etag: '"r1"', 'cache-control': 'max-age=1' });
      const first = await cache(apiEvent(path));
      await sleep(1100);
      const again = await cache(apiEvent(path));
      assert.equal(again.headers['x-cache'], 'REVALIDATED');
      assert.equal(again.body, first.body, 'the stored body');
      assert.equal(upstream.lastHeaders('/h/revalidate')['if-none-match'], '"r1"');
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'HIT', 'fresh again');
      assert.equal(upstream.callsTo('/h/revalidate'), 2);
    });

    test('the query goes upstream as it came; the key is normalized; ignored parameters go nowhere', async () => {
      const cache = await make({ IGNORE_QUERY_PARAMS: 'utm_*,fbclid' });
      await cache(apiEvent('/search?b=2&a=1&x=%20~&flag&utm_source=news&fbclid=1'));
      assert.equal(upstream.requests.at(-1).url, '/search?b=2&a=1&x=%20~&flag');
      const reordered = await cache(apiEvent('/search?flag&a=1&x=%20~&b=2&utm_medium=mail'));
      assert.equal(reordered.headers['x-cache'], 'HIT');
      assert.equal(upstream.callsTo('/search'), 1);
    });

    test('--forward-header: sent upstream and part of the key; nothing else from the client goes; a purge takes every variant', async () => {
      const cache = await make({ FORWARD_HEADERS: 'Accept-Language', UPSTREAM_HEADERS: JSON.stringify({ accept: 'application/json' }) });
      const path = h('lang', { 'cache-control': 'max-age=60' });
      const de = { 'accept-language': 'de', authorization: 'Bearer client', cookie: 'c=1', 'x-other': 'y', accept: 'text/html' };
      await cache(withHeaders(path, de));
      const sent = upstream.lastHeaders('/h/lang');
      assert.equal(sent['accept-language'], 'de');
      assert.equal(sent.accept, 'application/json', 'the stack\'s header, not the client\'s');
      for (const name of ['authorization', 'cookie', 'x-other']) assert.equal(sent[name], undefined, name);
      assert.equal((await cache(withHeaders(path, { 'accept-language': 'de' }))).headers['x-cache'], 'HIT');
      assert.equal((await cache(withHeaders(path, { 'accept-language': 'en' }))).headers['x-cache'], 'MISS');
      const purged = await cache({ ...apiEvent(path, 'DELETE'), headers: {} });
      assert.equal(purged.headers['x-cache-removed'], '2');
      assert.equal((await cache(withHeaders(path, { 'accept-language': 'de' }))).headers['x-cache'], 'MISS');
    });

    test('--client-credentials pass: Authorization and Cookie go upstream, the answer is never shared', async () => {
      const strip = await make();
      const pass = await make({ CLIENT_CREDENTIALS: 'pass' });
      const path = h('private-data', { 'cache-control': 'max-age=60' });
      await strip(apiEvent(path));
      const r = await pass({ ...withHeaders(path, { authorization: 'Bearer alice' }), cookies: ['s=1'] });
      assert.equal(r.headers['x-cache'], 'PASS', 'not the shared entry');
      const sent = upstream.lastHeaders('/h/private-data');
      assert.deepEqual([sent.authorization, sent.cookie], ['Bearer alice', 's=1']);
      assert.equal((await pass(apiEvent(path))).headers['x-cache'], 'HIT', 'without credentials: the shared entry');
    });

    test('bodies are stored gzip\'d and sent compressed to clients that take gzip or br, with Vary: Accept-Encoding', async () => {
      const cache = await make();
      const path = h('big-json', { 'cache-control': 'max-age=60' }, { repeat: 400 });
      const plain = await cache(apiEvent(path));
      const raw = Buffer.from(plain.body);
      assert.match(plain.headers.vary, /Accept-Encoding/);
      assert.equal(plain.headers['content-encoding'], undefined);
      const gz = await cache(withHeaders(path, { 'accept-encoding': 'gzip, deflate, br' }));
      assert.deepEqual([gz.headers['content-encoding'], gz.isBase64Encoded, gz.headers['x-cache']], ['gzip', true, 'HIT']);
      const gzBytes = Buffer.from(gz.body, 'base64');
      assert.ok(gunzipSync(gzBytes).equals(raw) && gzBytes.length < raw.length / 3, `${gzBytes.length} for ${raw.length}`);
      const br = await cache(withHeaders(path, { 'accept-encoding': 'br' }));
      assert.equal(br.headers['content-encoding'], 'br');
      assert.ok(brotliDecompressSync(Buffer.from(br.body, 'base64')).equals(raw));
      const refused = await cache(withHeaders(path, { 'accept-encoding': 'gzip;q=0' }));
      assert.equal(refused.headers['content-encoding'], undefined);
    });
  });
}

test('an answer larger than a Lambda response may be is one clear 502', async () => {
  const upstream = await startUpstream();
  const cache = createHandler({ env: { EXTERNAL_API_URL: upstream.url, CACHE_MAX_BODY_BYTES: '1024' }, log: () => {} });
  try {
    const r = await cache(apiEvent('/big?bytes=7000000'));
    assert.equal(r.statusCode, 502);
    assert.match(JSON.parse(r.body).message, /larger than a Lambda response may be \(6 MB\)/);
  } finally {
    cache.close();
    await upstream.close();
  }
});

describe('rules per path (--cache-rules)', () => {
  let redis, upstream;
  const handlers = [];
  const rules = [
    { path: '/admin/*', cache: false },
    { path: '/users/*', 'cache-ttl': 1, 'forward-header': ['X-Tenant'] },
    { path: '/users/*/avatar', 'cache-ttl': 600 },
    { path: '/h/negative-?', 'negative-ttl': 30, 'ignore-query-param': ['session'] },
  ];
  const make = async () => {
    const handler = createHandler({ env: { EXTERNAL_API_URL: upstream.url, REDIS_URL: redis.url, CACHE_TTL_SECONDS: '60' }, log: () => {}, rules });
    handlers.push(handler);
    await handler.redis.open();
    return handler;
  };
  before(async () => { redis = await startRedis(); upstream = await startUpstream(); });
  after(async () => { for (const x of handlers) x.close(); await upstream.close(); await redis.close(); });

  test('cache: false passes; the first matching rule sets the TTL and the forwarded headers', async () => {
    const cache = await make();
    for (let i = 0; i < 2; i++) assert.equal((await cache(apiEvent('/admin/stats'))).headers['x-cache'], 'PASS');
    assert.equal(upstream.callsTo('/admin'), 2);
    const tenantA = withHeaders('/users/1/avatar', { 'x-tenant': 'a' });
    await cache(tenantA);
    assert.equal(upstream.lastHeaders('/users/1')['x-tenant'], 'a', 'the first rule that matches is /users/*');
    assert.equal((await cache(withHeaders('/users/1/avatar', { 'x-tenant': 'b' }))).headers['x-cache'], 'MISS');
    assert.equal((await cache(tenantA)).headers['x-cache'], 'HIT');
    await sleep(1100);
    assert.equal((await cache(tenantA)).headers['x-cache'], 'MISS', '/users/*: cache-ttl 1');
    assert.equal((await cache(apiEvent('/other'))).headers['x-cache'], 'MISS');
    assert.equal((await cache(apiEvent('/other'))).headers['x-cache'], 'HIT', 'no rule: the function\'s settings');
  });

  test('a rule\'s negative-ttl and ignored parameters apply to its paths only', async () => {
    const cache = await make();
    const path = `${h('negative-1', {}, { status: 404 })}&session=1`;
    await cache(apiEvent(path));
    const again = await cache(apiEvent(path.replace('session=1', 'session=2')));
    assert.deepEqual([again.statusCode, again.headers['x-cache']], [404, 'HIT']);
    assert.ok(!upstream.requests.at(-1).url.includes('session'));
    const elsewhere = h('negative-12', {}, { status: 404 });
    await cache(apiEvent(elsewhere));
    assert.equal((await cache(apiEvent(elsewhere))).headers['x-cache'], 'PASS', '? is one character');
  });
});

describe('stale instead of errors (stale-if-error)', () => {
  let redis, upstream;
  const handlers = [];
  const make = async (env = {}) => {
    const handler = createHandler({ env: { EXTERNAL_API_URL: upstream.url, REDIS_URL: redis.url, UPSTREAM_TIMEOUT_MS: '500', ...env }, log: memoryLog() });
    handlers.push(handler);
    await handler.redis.open();
    return handler;
  };
  before(async () => { redis = await startRedis(); upstream = await startUpstream(); });
  beforeEach(async () => {
    upstream.fail(null);
    const c = await redis.client();
    await c.command(['FLUSHALL']);
    c.close();
  });
  after(async () => { for (const x of handlers) x.close(); await upstream.close(); await redis.close(); });

  for (const fault of [500, 502, 503, 504, 429, 'drop']) {
    test(`an expired entry answers STALE, with its Age, when the upstream fails (${fault})`, async () => {
      const cache = await make();
      const path = h(`stale-${fault}`, { 'cache-control': 'max-age=1' });
      const first = await cache(apiEvent(path));
      await sleep(1100);
      upstream.fail(fault);
      const r = await cache(apiEvent(path));
      assert.deepEqual([r.statusCode, r.headers['x-cache'], r.body], [200, 'STALE', first.body]);
      assert.ok(Number(r.headers.age) >= 1);
      upstream.fail(null);
      // A 429 or 503 said Retry-After: 30, which holds every instance back; otherwise the next call asks again.
      const held = fault === 429 || fault === 503;
      assert.equal((await cache(apiEvent(path))).headers['x-cache'], held ? 'STALE' : 'MISS', 'the upstream back');
    });
  }

  test('no stale copy for must-revalidate, s-maxage or no window; --stale-ttl bounds it; stale-if-error=N widens it', async () => {
    const cache = await make({ CACHE_STALE_TTL_SECONDS: '1' });
    const strict = h('strict', { 'cache-control': 'max-age=1, must-revalidate' });
    const shared = h('shared', { 'cache-control': 's-maxage=1' });
    const bounded = h('bounded', { 'cache-control': 'max-age=1' });
    const widened = h('widened', { 'cache-control': 'max-age=1, stale-if-error=60' });
    for (const p of [strict, shared, bounded, widened]) await cache(apiEvent(p));
    await sleep(2100);
    upstream.fail(500);
    for (const p of [strict, shared, bounded]) {
      const r = await cache(apiEvent(p));
      assert.deepEqual([r.statusCode, r.headers['x-cache']], [500, 'PASS'], p);
      assert.equal(r.headers['retry-after'], '30', 'the upstream\'s Retry-After reaches the client');
    }
    assert.equal((await cache(apiEvent(widened))).headers['x-cache'], 'STALE', 'stale-if-error=60 over --stale-ttl 1');
  });

  test('a Retry-After holds the whole fleet back: a stale copy where there is one, else a 503 saying how long', async () => {
    const a = await make(), b = await make();
    const cached = h('fleet-cached', { 'cache-control': 'max-age=1' });
    await a(apiEvent(cached));
    await sleep(1100);
    upstream.fail(429);
    assert.equal((await a(apiEvent(h('fleet-trigger')))).statusCode, 429, 'the upstream says wait (Retry-After: 30)');
    upstream.fail(null);
    const calls = upstream.calls.length;
    const stale = await b(apiEvent(cached));
    assert.deepEqual([stale.statusCode, stale.headers['x-cache']], [200, 'STALE'], 'another instance does not ask');
    const none = await b(apiEvent(h('fleet-new')));
    assert.equal(none.statusCode, 503);
    assert.ok(Number(none.headers['retry-after']) <= 30);
    assert.equal(upstream.calls.length, calls, 'no instance asked the upstream during the pause');
  });

  test('a purged entry has no stale copy', async () => {
    const cache = await make();
    const path = h('purged-stale', { 'cache-control': 'max-age=1' });
    await cache(apiEvent(path));
    await cache({ ...apiEvent(path, 'DELETE'), headers: {} });
    upstream.fail(503);
    assert.equal((await cache(apiEvent(path))).statusCode, 503);
  });
});

describe('review fixes (issue 22)', () => {
  let redis, upstream;
  const handlers = [];
  const make = async (env = {}) => {
    const handler = createHandler({ env: { EXTERNAL_API_URL: upstream.url, REDIS_URL: redis.url, ...env }, log: () => {} });
    handlers.push(handler);
    await handler.redis.open();
    return handler;
  };
  before(async () => { redis = await startRedis(); upstream = await startUpstream(); });
  after(async () => { for (const x of handlers) x.close(); await upstream.close(); await redis.close(); });

  test('a MISS is compressed for a client that takes gzip, its ETag weakened; gzip;q=0 with * is a refusal', async () => {
    const cache = await make();
    const path = h('miss-gzip', { 'cache-control': 'max-age=60', etag: '"strong"' }, { repeat: 300 });
    const miss = await cache(withHeaders(path, { 'accept-encoding': 'gzip' }));
    assert.deepEqual([miss.headers['x-cache'], miss.headers['content-encoding'], miss.headers.etag], ['MISS', 'gzip', 'W/"strong"']);
    const refused = await cache(withHeaders(path, { 'accept-encoding': 'gzip;q=0, *' }));
    assert.equal(refused.headers['content-encoding'], 'br', '* stands for what it does not name');
    const plain = await cache(apiEvent(path));
    assert.equal(plain.headers.etag, '"strong"', 'the identity body keeps the upstream\'s tag');
  });

  test('--max-ttl bounds --cache-ttl too', async () => {
    const cache = await make({ CACHE_TTL_SECONDS: '0', CACHE_MAX_TTL_SECONDS: '1', CACHE_STALE_TTL_SECONDS: '0' });
    const path = h('bounded-default');
    await cache(apiEvent(path));
    await sleep(1100);
    assert.equal((await cache(apiEvent(path))).headers['x-cache'], 'MISS');
  });

  test('a secret query parameter never comes back in a Location', async () => {
    const cache = await make({ UPSTREAM_SECRETS: JSON.stringify([{ in: 'query', name: 'appid' }]), UPSTREAM_SECRET_0: 'sekret' });
    const r = await cache(apiEvent(h('redirects', { location: '/users/?page=2&appid=sekret#top' }, { status: 301 })));
    assert.equal(r.headers.location, '/users/?page=2#top');
  });

  test('a credentialed 304 keeps its Set-Cookie', async () => {
    const cache = await make({ CLIENT_CREDENTIALS: 'pass' });
    const path = h('cookie-304', { etag: '"c"', 'set-cookie': 'sid=new' });
    const r = await cache({ ...withHeaders(path, { 'if-none-match': '"c"' }), cookies: ['sid=old'] });
    assert.equal(r.statusCode, 304);
    assert.deepEqual(r.cookies, ['sid=new']);
  });
});
