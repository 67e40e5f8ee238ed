// Handler benchmark on the local API front with TLS + AUTH redis-server: cache hits vs the
// upstream called directly vs a connect-per-request baseline (the original demo's design),
// at concurrency 1 and 16; plus cold module load time. Prints one JSON document.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, functionEnv, keepAliveClient, startRedis } from '../../lambda/test/helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const requests = Number(process.env.BENCH_REQUESTS || 4000);
const children = [];

async function waitForPort(port) {
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

function start(script, env) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/** N requests at concurrency C over keep-alive connections; latencies in ms. */
async function load(port, pathFor, concurrency, total) {
  const latencies = [];
  let errors = 0, next = 0;
  const clients = Array.from({ length: concurrency }, () => keepAliveClient(port));
  const started = performance.now();
  async function worker(client) {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      const { status } = await client.get(pathFor(i));
      latencies.push(performance.now() - t0);
      if (status !== 200) errors++;
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

const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-bench-'));
const redis = await startRedis({ tls: true, password: 'bench-token-0123456789abcdef' });
try {
  const upstreamPort = await freePort();
  start(path.join(root, 'lambda/local/demo-upstream.mjs'), { PORT: String(upstreamPort), DELAY_MS: '0' });
  await waitForPort(upstreamPort);
  const upstream = `http://127.0.0.1:${upstreamPort}`;

  const ours = path.join(dir, 'ours');
  cpSync(path.join(root, 'lambda/src'), ours, { recursive: true });
  const baseline = path.join(dir, 'baseline');
  cpSync(path.join(root, 'lambda/src'), baseline, { recursive: true });
  cpSync(path.join(here, 'connect-per-request.mjs'), path.join(baseline, 'index.mjs'));

  const env = { ...functionEnv(redis, upstream), CACHE_TTL_SECONDS: '3600' };
  const ourPort = await freePort(), redisOnlyPort = await freePort(), basePort = await freePort();
  start(path.join(root, 'lambda/local/front.mjs'), { ...env, PORT: String(ourPort), FUNCTION_DIR: ours });
  // The same handler with the instance copy off: every hit is a round trip to redis.
  start(path.join(root, 'lambda/local/front.mjs'), { ...env, PORT: String(redisOnlyPort), FUNCTION_DIR: ours, CACHE_LOCAL_MAX_BYTES: '0' });
  start(path.join(root, 'lambda/local/front.mjs'), { ...env, PORT: String(basePort), FUNCTION_DIR: baseline });
  for (const port of [ourPort, redisOnlyPort, basePort]) await waitForPort(port);

  const hitPath = () => '/?name=bench-hit';
  // Warm: the entry is stored, and each front has started its instances.
  for (const port of [ourPort, redisOnlyPort, basePort]) await load(port, hitPath, 16, 200);

  const results = { requestsPerRun: requests };
  for (const c of [1, 16]) {
    results[`hit_c${c}`] = await load(ourPort, hitPath, c, requests);
    results[`redis_hit_c${c}`] = await load(redisOnlyPort, hitPath, c, requests);
    results[`upstream_c${c}`] = await load(upstreamPort, hitPath, c, requests);
    results[`baseline_hit_c${c}`] = await load(basePort, hitPath, c, requests);
  }

  // Cold module load: a fresh Node process importing the handler, as Lambda's init does.
  const loads = [];
  for (let i = 0; i < 10; i++) {
    const ms = await new Promise((resolve) => {
      const p = spawn(process.execPath, ['-e', `const t=performance.now(); import(${JSON.stringify(path.join(ours, 'index.mjs'))}).then(()=>console.log(performance.now()-t))`],
        { env: { ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.on('exit', () => resolve(Number(out)));
    });
    loads.push(ms);
  }
  loads.sort((a, b) => a - b);
  results.coldModuleLoadMs = +loads[Math.floor(loads.length / 2)].toFixed(2);
  console.log(JSON.stringify(results, null, 2));
} finally {
  for (const c of children) c.kill('SIGTERM');
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
}
