// The handler's settings, all from environment variables (the stack sets them).
import { readFileSync } from 'node:fs';

/** The role's credentials, as Lambda puts them in the environment: read at each use, so a
 *  runtime that refreshes the role's keys is followed. */
function roleCredentials(env) {
  return () => ({ accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN || undefined });
}

function int(env, name, fallback) {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${v} is not a whole number >= 0`);
  return n;
}

/**
 * REDIS_AUTH_MODE=iam: the password is an IAM auth token made from the role credentials
 * Lambda puts in the environment, for the cache REDIS_IAM_CACHE_NAME and the user
 * REDIS_USERNAME; otherwise REDIS_AUTH_TOKEN, if any.
 */
function iamAuth(env) {
  if ((env.REDIS_AUTH_MODE || 'token') === 'token') return null;
  if (env.REDIS_AUTH_MODE !== 'iam') throw new Error(`REDIS_AUTH_MODE=${env.REDIS_AUTH_MODE} is not token or iam`);
  for (const name of ['REDIS_IAM_CACHE_NAME', 'REDIS_USERNAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    if (!env[name]) throw new Error(`REDIS_AUTH_MODE=iam needs ${name}`);
  }
  return {
    cacheName: env.REDIS_IAM_CACHE_NAME, userId: env.REDIS_USERNAME, region: env.AWS_REGION,
    serverless: env.REDIS_IAM_SERVERLESS === '1',
    credentials: roleCredentials(env),
  };
}

/** A comma-separated list, lowercased when it names headers. */
function list(env, name, { lower = false } = {}) {
  return (env[name] || '').split(',').map((v) => v.trim()).filter(Boolean).map((v) => (lower ? v.toLowerCase() : v));
}

function oneOf(env, name, allowed) {
  const v = env[name] || allowed[0];
  if (!allowed.includes(v)) throw new Error(`${name}=${v} is not one of ${allowed.join(', ')}`);
  return v;
}

/** UPSTREAM_HEADERS: a JSON object of header names and values sent on every upstream call. */
function upstreamHeaders(env) {
  if (!env.UPSTREAM_HEADERS) return {};
  let parsed;
  try { parsed = JSON.parse(env.UPSTREAM_HEADERS); } catch { throw new Error('UPSTREAM_HEADERS is not a JSON object'); }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('UPSTREAM_HEADERS is not a JSON object');
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Each secret's value has a variable of its own (a value may hold any character). */
const SECRET_VALUES = ['UPSTREAM_SECRET_0', 'UPSTREAM_SECRET_1', 'UPSTREAM_SECRET_2', 'UPSTREAM_SECRET_3', 'UPSTREAM_SECRET_4'];

/** UPSTREAM_SECRETS: where each secret goes, [{ in: 'header' | 'query', name, ssm? }]; its
 *  value in UPSTREAM_SECRET_<i>, or read from the SSM parameter `ssm` (AWS_ENDPOINT_URL_SSM,
 *  where set, is where SSM answers). Never logged: a missing value names the variable, not the value. */
function upstreamSecrets(env) {
  if (!env.UPSTREAM_SECRETS) return { headers: {}, query: [], ssm: [] };
  let list;
  try { list = JSON.parse(env.UPSTREAM_SECRETS); } catch { throw new Error('UPSTREAM_SECRETS is not a JSON list'); }
  if (!Array.isArray(list) || list.length > SECRET_VALUES.length) throw new Error('UPSTREAM_SECRETS is not a JSON list of at most 5');
  const out = { headers: {}, query: [], ssm: [] };
  list.forEach(({ in: place, name, ssm }, i) => {
    if (place !== 'header' && place !== 'query') throw new Error(`UPSTREAM_SECRETS: ${place} is not header or query`);
    // An SSM SecureString: read as the instance starts (secrets.mjs), not from the environment.
    if (ssm) { out.ssm.push({ in: place, name: String(name), parameter: String(ssm) }); return; }
    const value = env[SECRET_VALUES[i]];
    if (!value) throw new Error(`${SECRET_VALUES[i]} (the value of upstream secret ${name}) is not set`);
    if (place === 'header') out.headers[String(name).toLowerCase()] = value;
    else out.query.push([String(name), value]);
  });
  return out;
}

export function readConfig(env = process.env) {
  if (!env.EXTERNAL_API_URL) throw new Error('EXTERNAL_API_URL is not set');
  return {
    iamAuth: iamAuth(env),
    // ElastiCache cuts an IAM-authenticated connection at 12 hours: AUTH again every 11.
    redisReauthMs: int(env, 'REDIS_REAUTH_MS', 11 * 3600 * 1000),
    upstreamURL: env.EXTERNAL_API_URL,
    // --egress ipv6: the subnets have no IPv4 route out, so an IPv4 address would only time out.
    preferIPv6: env.UPSTREAM_PREFER_IPV6 === '1',
    redisURL: env.REDIS_URL || null,
    // Cluster mode enabled or Serverless: REDIS_URL is the configuration endpoint.
    redisCluster: env.REDIS_CLUSTER === '1',
    // ElastiCache Serverless: no WAIT (it replicates across zones itself), no CLIENT TRACKING.
    redisServerless: env.REDIS_SERVERLESS === '1',
    redisToken: env.REDIS_AUTH_TOKEN || undefined,
    redisUsername: env.REDIS_USERNAME || undefined,
    redisCA: env.REDIS_CA_FILE ? readFileSync(env.REDIS_CA_FILE) : undefined,
    namespace: env.CACHE_NAMESPACE || 'cachedemo',
    // The caching rules (policy.mjs): the lifetime when the upstream gives none (0: no
    // expiry), the clamps on what it gives, 404/410's lifetime, and whether its
    // Cache-Control counts at all.
    rule: {
      ttl: int(env, 'CACHE_TTL_SECONDS', 3600),
      minTtl: int(env, 'CACHE_MIN_TTL_SECONDS', 0),
      maxTtl: int(env, 'CACHE_MAX_TTL_SECONDS', 0),
      negativeTtl: int(env, 'CACHE_NEGATIVE_TTL_SECONDS', 0),
      // How long past freshness a copy answers when the upstream fails (stale-if-error).
      staleTtl: int(env, 'CACHE_STALE_TTL_SECONDS', 86400),
      cacheControl: oneOf(env, 'CACHE_CONTROL', ['honor', 'ignore']),
    },
    // A client's Authorization and Cookie: not forwarded (strip), or forwarded with the
    // answer never shared (pass).
    clientCredentials: oneOf(env, 'CLIENT_CREDENTIALS', ['strip', 'pass']),
    forwardHeaders: list(env, 'FORWARD_HEADERS', { lower: true }),
    ignoreQueryParams: list(env, 'IGNORE_QUERY_PARAMS'),
    upstreamHeaders: upstreamHeaders(env),
    upstreamSecrets: upstreamSecrets(env),
    ssmEndpoint: env.AWS_ENDPOINT_URL_SSM || null,
    region: env.AWS_REGION || null,
    roleCredentials: roleCredentials(env),
    maxBodyBytes: int(env, 'CACHE_MAX_BODY_BYTES', 1024 * 1024),
    localCacheBytes: int(env, 'CACHE_LOCAL_MAX_BYTES', 16 * 1024 * 1024),
    upstreamTimeoutMs: int(env, 'UPSTREAM_TIMEOUT_MS', 8000),
    redisConnectTimeoutMs: int(env, 'REDIS_CONNECT_TIMEOUT_MS', 1000),
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 250),
    redisBackoffMaxMs: int(env, 'REDIS_BACKOFF_MAX_MS', 5000),
  };
}
