// The original demo's design, for comparison: connect, TLS handshake, AUTH, one
// command, disconnect, on every request; no expiry. Same RESP client as ours.
import { RedisConnection } from './redis.mjs';

const url = process.env.REDIS_URL;
const opts = { token: process.env.REDIS_AUTH_TOKEN, ca: process.env.REDIS_CA_FILE
  ? (await import('node:fs')).readFileSync(process.env.REDIS_CA_FILE) : undefined, commandTimeoutMs: 5000 };

export async function handler(event) {
  const key = `baseline:${event.rawPath}?${event.rawQueryString}`;
  const conn = await RedisConnection.connect(url, opts);
  try {
    const hit = await conn.command(['GET', key]);
    if (hit) return { statusCode: 200, headers: { 'content-type': 'application/json', 'x-cache': 'HIT' }, body: hit.toString() };
    const res = await fetch(process.env.EXTERNAL_API_URL + event.rawPath + (event.rawQueryString ? '?' + event.rawQueryString : ''));
    const body = await res.text();
    await conn.command(['SET', key, body]);
    return { statusCode: res.status, headers: { 'content-type': 'application/json', 'x-cache': 'MISS' }, body };
  } finally {
    conn.close();
  }
}
