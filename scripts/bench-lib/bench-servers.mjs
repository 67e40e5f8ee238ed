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
import { freePort, functionEnv, startRedis } from '../../lambda/test/helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');

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
