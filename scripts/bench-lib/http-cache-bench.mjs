// HTTP cache benchmark (issue 22): the handler in-process against a TLS + AUTH
// redis-server, this version beside the one before it became an HTTP cache (BASELINE, a
// commit: its lambda/src is taken from git), for
// - hit p50 (a small and a 20 KB JSON answer, instance copy on and off);
// - Redis memory for 1,000 typical JSON answers of 2-50 KB (used_memory delta);
// - bytes a client gets for those answers: raw, gzip, br.
// Prints one JSON document.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './bench-servers.mjs';
import { apiEvent, startRedis } from '../../lambda/test/helpers.mjs';

const baseline = process.env.BASELINE || 'bb5a86e';
const hits = Number(process.env.BENCH_HITS || 20000);

/** A seeded PRNG: the same documents every run. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A JSON answer like a real API's: a page of records with ids, names, dates, flags, text. */
function document(i, bytes) {
  const r = rng(i + 1);
  const words = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'papa', 'sierra', 'tango', 'zulu'];
  const items = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const item = {
      id: 100000 + Math.floor(r() * 900000), name: `${words[Math.floor(r() * words.length)]} ${words[Math.floor(r() * words.length)]}`,
      email: `user${Math.floor(r() * 1e6)}@example.com`, createdAt: new Date(1.6e12 + r() * 1e11).toISOString(),
      active: r() > 0.3, score: +(r() * 100).toFixed(2), tags: words.filter(() => r() > 0.8),
      bio: Array.from({ length: 5 + Math.floor(r() * 20) }, () => words[Math.floor(r() * words.length)]).join(' '),
    };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return JSON.stringify({ page: i, total: items.length, items });
}

const sizes = Array.from({ length: 1000 }, (_, i) => 2048 + Math.floor(rng(7 + i)() * (50 - 2) * 1024));
const upstream = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const body = u.pathname.startsWith('/doc/') ? document(Number(u.pathname.slice(5)), sizes[Number(u.pathname.slice(5))])
    : u.pathname === '/big' ? document(5000, 20 * 1024) : JSON.stringify({ name: 'ada', age: 42, count: 12345 });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', etag: `"${body.length}"` });
  res.end(body);
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamURL = `http://127.0.0.1:${upstream.address().port}`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-http-bench-'));
execFileSync('sh', ['-c', `git -C '${root}' archive ${baseline} lambda/src | tar -x -C '${dir}'`]);
const versions = {
  baseline: await import(pathToFileURL(path.join(dir, 'lambda/src/index.mjs')).href),
  current: await import(pathToFileURL(path.join(root, 'lambda/src/index.mjs')).href),
};

const redis = await startRedis({ tls: true, password: 'bench-token-0123456789' });
const check = await redis.client();
const env = (extra = {}) => ({ EXTERNAL_API_URL: upstreamURL, REDIS_URL: redis.url, REDIS_AUTH_TOKEN: redis.password,
  REDIS_CA_FILE: redis.caFile, CACHE_TTL_SECONDS: '3600', ...extra });
const usedMemory = async () => Number(/used_memory:(\d+)/.exec((await check.command(['INFO', 'memory'])).toString())[1]);

async function hitP50(module, path, extra, headers = {}) {
  const h = module.createHandler({ env: env(extra), log: () => {} });
  await h.redis.open();
  await h(apiEvent(path));
  await h(apiEvent(path));
  const times = [];
  for (let i = 0; i < hits; i++) {
    const t0 = performance.now();
    const r = await h({ ...apiEvent(path), headers });
    times.push(performance.now() - t0);
    if (r.headers['x-cache'] !== 'HIT') throw new Error(`not a hit: ${r.headers['x-cache']}`);
  }
  h.close();
  times.sort((a, b) => a - b);
  return +(times[Math.floor(times.length / 2)] * 1000).toFixed(1);
}

const out = { baseline, hits, hitP50Us: {}, memory: {}, responseBytes: {} };
try {
  for (const [what, p] of [['small', '/small'], ['20kb', '/big']]) {
    for (const [copy, extra] of [['copy', {}], ['nocopy', { CACHE_LOCAL_MAX_BYTES: '0' }]]) {
      for (const [name, module] of Object.entries(versions)) {
        await check.command(['FLUSHALL']);
        out.hitP50Us[`${name}_${what}_${copy}`] = await hitP50(module, p, extra);
      }
    }
  }
  // A client that takes gzip gets the stored bytes as they are: no unpacking on a hit.
  await check.command(['FLUSHALL']);
  out.hitP50Us.current_20kb_nocopy_gzipclient = await hitP50(versions.current, '/big', { CACHE_LOCAL_MAX_BYTES: '0' },
    { 'accept-encoding': 'gzip' });
  for (const [name, module] of Object.entries(versions)) {
    await check.command(['FLUSHALL']);
    const h = module.createHandler({ env: env({ CACHE_LOCAL_MAX_BYTES: '0' }), log: () => {} });
    await h.redis.open();
    const before = await usedMemory();
    for (let i = 0; i < sizes.length; i++) await h(apiEvent(`/doc/${i}`));
    out.memory[name] = { bytes: (await usedMemory()) - before, keys: Number(await check.command(['DBSIZE'])) };
    if (name === 'current') {
      let raw = 0, gzip = 0, br = 0;
      for (let i = 0; i < sizes.length; i++) {
        for (const [enc, add] of [['gzip', (n) => { gzip += n; }], ['br', (n) => { br += n; }], ['', (n) => { raw += n; }]]) {
          const r = await h({ ...apiEvent(`/doc/${i}`), headers: enc ? { 'accept-encoding': enc } : {} });
          add(r.isBase64Encoded ? Buffer.from(r.body, 'base64').length : Buffer.byteLength(r.body));
        }
      }
      out.responseBytes = { raw, gzip, br };
    }
    h.close();
  }
  out.upstreamBytes = sizes.reduce((a, b) => a + b, 0);
} finally {
  check.close();
  await redis.close();
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out) + '\n');
