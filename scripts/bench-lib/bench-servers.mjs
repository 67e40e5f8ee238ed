// What the handler benchmarks share: a TLS + AUTH redis-server, the demo upstream, and two
// copies of the function: ours, and the original demo's design (connect-per-request.mjs as
// its index.mjs, with our RESP client beside it).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, functionEnv, keepAliveClient, startRedis } from '../../lambda/test/helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');

/** N requests at concurrency C over keep-alive connections; latencies in ms. An answer that
 *  is not a 200 (or, with `mustHit`, not a cache hit) counts as an error. */
export async function load(port, pathFor, concurrency, total, { mustHit = false } = {}) {
  const latencies = [];
  let errors = 0, next = 0;
  const clients = Array.from({ length: concurrency }, () => keepAliveClient(port));
  const started = performance.now();
  async function worker(client) {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      const { status, head } = await client.get(pathFor(i));
      latencies.push(performance.now() - t0);
      if (status !== 200 || (mustHit && !/x-cache: HIT/i.test(head))) errors++;
    }
  }
  await Promise.all(clients.map(worker));
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => +latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * p) - 1)].toFixed(3);
  return { requests: total, concurrency, reqPerSec: Math.round(total / seconds), p50Ms: pct(0.5), p99Ms: pct(0.99),
    errors, errorRate: +(errors / total).toFixed(4) };
}

export async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/__ready' }, (res) => { res.resume(); resolve(true); });
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`nothing listening on ${port}`);
}

/** The servers, with the demo upstream answering after `upstreamDelayMs`; `close` stops them all. */
export async function benchServers({ upstreamDelayMs }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-bench-'));
  const children = [];
  const start = (script, env) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(child);
    return child;
  };
  const redis = await startRedis({ tls: true, password: 'bench-token-0123456789abcdef' });
  const close = async () => {
    for (const c of children) c.kill('SIGTERM');
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const upstreamPort = await freePort();
    start(path.join(root, 'lambda/local/demo-upstream.mjs'), { PORT: String(upstreamPort), DELAY_MS: String(upstreamDelayMs) });
    await waitForPort(upstreamPort);
    const upstream = `http://127.0.0.1:${upstreamPort}`;
    const ours = path.join(dir, 'ours');
    cpSync(path.join(root, 'lambda/src'), ours, { recursive: true });
    const baseline = path.join(dir, 'baseline');
    cpSync(path.join(root, 'lambda/src'), baseline, { recursive: true });
    cpSync(path.join(here, 'connect-per-request.mjs'), path.join(baseline, 'index.mjs'));
    const env = { ...functionEnv(redis, upstream), CACHE_TTL_SECONDS: '3600' };
    return { redis, upstream, upstreamPort, env, ours, baseline, start, close };
  } catch (err) {
    await close();
    throw err;
  }
}
