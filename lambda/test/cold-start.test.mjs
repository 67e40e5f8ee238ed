// A cold start: the cache connection opens as the instance starts, a cache that is down
// never fails the start, and a first request does not wait for a handshake that has not
// answered: the upstream is asked at once, and the answer stored when the cache is ready.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeEntry } from '../src/entry.mjs';
import { cacheKey } from '../src/key.mjs';
import { apiEvent, freePort, gatedProxy, handlerFor, lambdaDir, suiteServers } from './helpers.mjs';

const entryURL = pathToFileURL(path.join(lambdaDir, 'src/index.mjs')).href;

/**
 * Loads the function in a fresh Node process, as Lambda's init does, and invokes it once:
 * what the load and the invocation did, and every unhandled rejection on the way.
 */
function coldInstance(env, event) {
  const script = `
    const seen = [];
    process.on('unhandledRejection', (err) => seen.push(String(err)));
    let loaded = true, result = null, failure = null;
    const mod = await import(${JSON.stringify(entryURL)}).catch((err) => { loaded = false; failure = err.message; });
    if (mod) {
      try { result = await mod.handler(${JSON.stringify(event)}, {}); } catch (err) { failure = err.message; }
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // a late rejection would surface here
    console.log(JSON.stringify({ loaded, status: result?.statusCode, cache: result?.headers?.['x-cache'], failure, seen }));
    process.exit(0);`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...env } },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1)))));
  });
}

describe('a cold start', () => {
  const servers = suiteServers({}, { CACHE_TTL_SECONDS: '60' });

  /** A handler whose cache sits behind a gate that holds the handshake until opened; timeouts
   *  far beyond the test, so only the early upstream call can answer while it is shut. */
  async function behindGate() {
    const proxy = await gatedProxy(servers.redis.port);
    const h = handlerFor({ ...servers.redis, url: proxy.url }, servers.upstream,
      { CACHE_TTL_SECONDS: '60', REDIS_CONNECT_TIMEOUT_MS: '600000', REDIS_COMMAND_TIMEOUT_MS: '600000' });
    servers.handlers.push(h);
    return { proxy, h };
  }

  test('an unreachable cache fails neither the module load nor the first request, and rejects nothing unhandled', async () => {
    const closed = await freePort();
    const out = await coldInstance({ EXTERNAL_API_URL: servers.upstream.url, REDIS_URL: `redis://127.0.0.1:${closed}` },
      apiEvent('/cold-unreachable'));
    const { cache, ...rest } = out;
    assert.deepEqual(rest, { loaded: true, status: 200, failure: null, seen: [] });
    // BYPASS once the refused connection is known; MISS when the upstream answered before that.
    assert.match(cache, /^(BYPASS|MISS)$/);
  });

  test('a configuration error fails the invocation, as before, not the module load', async () => {
    const out = await coldInstance({ REDIS_URL: `redis://127.0.0.1:${servers.redis.port}` }, apiEvent('/no-upstream'));
    assert.equal(out.loaded, true);
    assert.equal(out.failure, 'EXTERNAL_API_URL is not set');
    assert.deepEqual(out.seen, []);
  });

  test('loading the module opens the cache connection, before any request', async () => {
    const proxy = await gatedProxy(servers.redis.port);
    const child = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(entryURL)}); setInterval(() => {}, 1000);`],
      { env: { PATH: process.env.PATH, EXTERNAL_API_URL: servers.upstream.url, REDIS_URL: proxy.url }, stdio: 'ignore' });
    try {
      await proxy.accepted();
    } finally {
      child.kill();
      await proxy.close();
    }
  });

  test('misses while the handshake goes unanswered are served from the upstream at once, then stored', async () => {
    const { proxy, h } = await behindGate();
    try {
      await proxy.accepted();
      const first = await Promise.all(Array.from({ length: 5 }, () => h(apiEvent('/cold-first'))));
      assert.ok(first.every((r) => r.statusCode === 200 && r.headers['x-cache'] === 'MISS'));
      assert.equal(servers.upstream.callsTo('/cold-first'), 1, 'concurrent misses still share one upstream call');
      // Answered while the cache had not yet answered the handshake.
      assert.equal(h.redis.ready, false);
      assert.equal(h.redis.connects, 0);

      proxy.open();
      assert.equal(await h.redis.open(), true);
      const next = await h(apiEvent('/cold-first'));
      assert.equal(next.headers['x-cache'], 'HIT', 'the early answer was stored once the cache answered');
      assert.equal(next.body, first[0].body);
      assert.equal(servers.upstream.callsTo('/cold-first'), 1);
    } finally {
      await proxy.close();
    }
  });

  test('a first request whose lookup answers first is served the hit', async () => {
    const key = cacheKey({ namespace: 'cachedemo', method: 'GET', path: '/slow', query: 'ms=2000' });
    const body = Buffer.from('{"cached":true}');
    await servers.check.command(['SET', key, encodeEntry({ status: 200, headers: new Map([['content-type', 'application/json']]), body, storedAt: Date.now(), lifetime: 60 })]);
    const { proxy, h } = await behindGate();
    try {
      await proxy.accepted();
      const pending = h(apiEvent('/slow?ms=2000'));
      // The upstream is asked before the cache has answered anything.
      for (let i = 0; i < 400 && servers.upstream.callsTo('/slow') === 0; i++) await sleep(5);
      assert.equal(servers.upstream.callsTo('/slow'), 1);
      assert.equal(h.redis.ready, false);
      proxy.open();
      const r = await pending;
      assert.equal(r.headers['x-cache'], 'HIT');
      assert.equal(r.body, body.toString());
    } finally {
      await proxy.close();
    }
  });
});
