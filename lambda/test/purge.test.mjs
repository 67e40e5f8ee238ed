// Invalidation against a real redis-server: one key, a prefix (thousands of keys, in
// batches, nothing outside touched), the whole namespace in O(1), and misses afterwards.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHandler } from '../src/index.mjs';
import { cacheKey, versionKey } from '../src/key.mjs';
import { apiEvent, memoryLog, suiteServers } from './helpers.mjs';

describe('purge', () => {
  const servers = suiteServers({ tls: true, password: 'purge-token-0123456789' }, { CACHE_TTL_SECONDS: '300' });
  const make = async () => {
    const h = await servers.make();
    // Record every command the handler sends, to count round trips rather than time them.
    const sent = [];
    const original = h.redis.command.bind(h.redis);
    h.redis.command = (args) => { sent.push(String(args[0])); return original(args); };
    h.sent = sent;
    return h;
  };
  const del = (pathAndQuery, headers = {}) => ({ ...apiEvent(pathAndQuery, 'DELETE'), headers });

  test('one key, named with its query in any order; a GET after it is a MISS again', async () => {
    const h = await make();
    await h(apiEvent('/people?a=1&b=2'));
    assert.equal((await h(apiEvent('/people?a=1&b=2'))).headers['x-cache'], 'HIT');
    const r = await h(del('/people?b=2&a=1'));
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['x-cache-removed'], '1');
    assert.equal((await h(apiEvent('/people?a=1&b=2'))).headers['x-cache'], 'MISS');
  });

  test('nothing cached: 404', async () => {
    const h = await make();
    const r = await h(del('/never-cached'));
    assert.equal(r.statusCode, 404);
    assert.equal(r.headers['x-cache-removed'], '0');
  });

  test('a prefix with thousands of keys goes in SCAN batches; nothing outside it is touched', async () => {
    const h = await make();
    const inside = [], outside = [];
    for (let i = 0; i < 2500; i++) inside.push(cacheKey({ namespace: 'cachedemo', method: 'GET', path: `/people/${i}`, query: '' }));
    for (let i = 0; i < 500; i++) inside.push(cacheKey({ namespace: 'cachedemo', method: 'GET', path: '/people', query: `id=${i}` }));
    inside.push(cacheKey({ namespace: 'cachedemo', method: 'GET', path: '/people', query: '' }));
    for (const p of ['/peoplex/1', '/people-list', '/other/people/1', '/']) {
      outside.push(cacheKey({ namespace: 'cachedemo', method: 'GET', path: p, query: '' }));
    }
    outside.push('someone-else:key');
    const writes = [...inside, ...outside].map((k) => servers.check.command(['SET', k, 'x']));
    await Promise.all(writes);

    const r = await h(del('/people', { 'x-cachedemo-purge': 'prefix' }));
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['x-cache-removed'], String(inside.length));
    assert.equal(await servers.check.command(['DBSIZE']), outside.length);
    for (const k of outside) assert.equal(await servers.check.command(['EXISTS', k]), 1, k);
    assert.ok(!h.sent.includes('KEYS'), 'KEYS must never be used');
    assert.ok(h.sent.filter((c) => c === 'SCAN').length > 1, 'expected several SCAN pages');
    assert.ok(h.sent.filter((c) => c === 'UNLINK').length > 1, 'expected UNLINK in batches');
  });

  test('the whole namespace in one command, however big the cache is', async () => {
    const h = await make();
    for (const p of ['/a', '/b?x=1', '/c/d']) await h(apiEvent(p));
    for (let i = 0; i < 1000; i++) await servers.check.command(['SET', cacheKey({ namespace: 'cachedemo', method: 'GET', path: `/bulk/${i}`, query: '' }), 'x']);
    h.sent.length = 0;
    const r = await h(del('/', { 'x-cachedemo-purge': 'all' }));
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['x-cache-namespace-version'], '1');
    assert.deepEqual(h.sent, ['INCR']);
    for (const p of ['/a', '/b?x=1', '/c/d']) assert.equal((await h(apiEvent(p))).headers['x-cache'], 'MISS', p);
    assert.equal((await h(apiEvent('/a'))).headers['x-cache'], 'HIT');
  });

  test('a query of the upstream\'s own never widens a purge: DELETE /search?all=true removes that entry only', async () => {
    const h = await make();
    for (const p of ['/search?all=true', '/search?all=false', '/other']) await h(apiEvent(p));
    const r = await h(del('/search?all=true'));
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['x-cache-purge'], 'key');
    assert.equal(r.headers['x-cache-removed'], '1');
    assert.equal(await servers.check.command(['GET', versionKey('cachedemo')]), null, 'the namespace version was bumped');
    assert.equal((await h(apiEvent('/search?all=true'))).headers['x-cache'], 'MISS');
    for (const p of ['/search?all=false', '/other']) assert.equal((await h(apiEvent(p))).headers['x-cache'], 'HIT', p);
  });

  test('a purge header naming no mode is refused (400), and nothing is purged', async () => {
    const h = await make();
    await h(apiEvent('/kept'));
    for (const value of ['everything', 'ALL ', 'prefix,all']) {
      const r = await h(del('/kept', { 'x-cachedemo-purge': value }));
      if (value === 'ALL ') { assert.equal(r.statusCode, 204, 'case and spaces do not matter'); await h(apiEvent('/kept')); continue; }
      assert.equal(r.statusCode, 400, value);
      assert.match(JSON.parse(r.body).message, /x-cachedemo-purge must be one of key, prefix, all/);
    }
    assert.equal((await h(apiEvent('/kept'))).headers['x-cache'], 'HIT');
  });

  test('the cache down: 503, not a pretend success', async () => {
    const h = createHandler({ env: { EXTERNAL_API_URL: servers.upstream.url, REDIS_URL: 'redis://127.0.0.1:1', REDIS_BACKOFF_MAX_MS: '50' },
      log: memoryLog() });
    servers.handlers.push(h);
    assert.equal((await h(del('/x'))).statusCode, 503);
  });
});
