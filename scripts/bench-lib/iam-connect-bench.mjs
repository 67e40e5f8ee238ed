// The first connection's cost with IAM auth against an AUTH token, on this machine (a
// benchmark, not a test): making the token, and connect + TLS + AUTH + HELLO + CLIENT
// TRACKING to redis-server directly with its token, and through the local IAM proxy
// (which checks the token, then opens its own TLS connection to redis-server: a hop that
// ElastiCache does not have, so the IAM row is an upper bound). Median of 50 each.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { iamAuthToken } from '../../lambda/src/iam-auth.mjs';
import { RedisConnection } from '../../lambda/src/redis.mjs';
import { freePort, startRedis } from '../../lambda/test/helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const keys = { accessKeyId: 'BENCHKEY', secretAccessKey: 'bench-secret' };
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const redis = await startRedis({ tls: true, password: 'bench-password' });
const port = await freePort();
const dir = path.dirname(redis.caFile);
const proxy = spawn(process.execPath, [path.join(root, 'lambda/local/iam-proxy.mjs')], {
  env: { PATH: process.env.PATH, PORT: String(port), TLS_CERT_FILE: path.join(dir, 'server.pem'), TLS_KEY_FILE: path.join(dir, 'server.key'),
    REDIS_PORT: String(redis.port), REDIS_CA_FILE: redis.caFile, REDIS_PASSWORD: 'bench-password', IAM_USER: 'app',
    IAM_CACHE_NAME: 'bench', IAM_REGION: 'us-east-1', IAM_ACCESS_KEY_ID: keys.accessKeyId, IAM_SECRET_ACCESS_KEY: keys.secretAccessKey },
  stdio: ['pipe', 'pipe', 'inherit'] });
await new Promise((resolve) => proxy.stdout.once('data', resolve));

const tokenUs = [];
for (let i = 0; i < 2000; i++) {
  const t0 = process.hrtime.bigint();
  iamAuthToken({ cacheName: 'bench', userId: 'app', region: 'us-east-1', credentials: keys });
  tokenUs.push(Number(process.hrtime.bigint() - t0) / 1000);
}
async function connectMs(url, token, username) {
  const times = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const conn = await RedisConnection.connect(url, { token, username, ca: redis.ca, tracking: true, connectTimeoutMs: 5000 });
    times.push(performance.now() - t0);
    conn.close();
  }
  return median(times);
}
const direct = await connectMs(redis.url, 'bench-password');
const iam = await connectMs(`rediss://127.0.0.1:${port}`, () => iamAuthToken({ cacheName: 'bench', userId: 'app', region: 'us-east-1', credentials: keys }), 'app');
proxy.kill();
await redis.close();
console.log(JSON.stringify({ tokenMicros: +median(tokenUs).toFixed(1), tokenConnectMs: +direct.toFixed(3), iamConnectMs: +iam.toFixed(3) }));
