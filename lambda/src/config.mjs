// The handler's settings, all from environment variables (the stack sets them).
import { readFileSync } from 'node:fs';

function int(env, name, fallback) {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${v} is not a whole number >= 0`);
  return n;
}

export function readConfig(env = process.env) {
  if (!env.EXTERNAL_API_URL) throw new Error('EXTERNAL_API_URL is not set');
  return {
    upstreamURL: env.EXTERNAL_API_URL,
    redisURL: env.REDIS_URL || null,
    redisToken: env.REDIS_AUTH_TOKEN || undefined,
    redisUsername: env.REDIS_USERNAME || undefined,
    redisCA: env.REDIS_CA_FILE ? readFileSync(env.REDIS_CA_FILE) : undefined,
    namespace: env.CACHE_NAMESPACE || 'cachedemo',
    ttlSeconds: int(env, 'CACHE_TTL_SECONDS', 3600),
    maxBodyBytes: int(env, 'CACHE_MAX_BODY_BYTES', 1024 * 1024),
    localCacheBytes: int(env, 'CACHE_LOCAL_MAX_BYTES', 16 * 1024 * 1024),
    upstreamTimeoutMs: int(env, 'UPSTREAM_TIMEOUT_MS', 8000),
    redisConnectTimeoutMs: int(env, 'REDIS_CONNECT_TIMEOUT_MS', 1000),
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 250),
    redisBackoffMaxMs: int(env, 'REDIS_BACKOFF_MAX_MS', 5000),
  };
}
