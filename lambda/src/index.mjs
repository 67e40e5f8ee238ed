// The read-through cache proxy: API Gateway HTTP API (payload 2.0) -> Redis -> upstream.
// One Redis connection per instance, reused; the cache never takes the API down.
import { readConfig } from './config.mjs';
import { RedisClient } from './redis.mjs';
import { keyHash, normalizePath, normalizeQuery, resourceKey, storedKey, versionKey } from './key.mjs';
import { purge } from './purge.mjs';
import { decodeEntry, encodeEntry, isTextual } from './entry.mjs';

/** A JSON line per request on stdout, where Lambda ships it to CloudWatch Logs. */
const stdoutLog = (record) => process.stdout.write(JSON.stringify(record) + '\n');

/**
 * Builds a handler with its own configuration, connection and in-flight table.
 * Lambda uses the default one below; tests build as many as they need.
 */
export function createHandler({ env = process.env, log = stdoutLog, fetchImpl = globalThis.fetch } = {}) {
  const config = readConfig(env);
  const redis = config.redisURL
    ? new RedisClient(config.redisURL, {
      token: config.redisToken,
      username: config.redisUsername,
      ca: config.redisCA,
      connectTimeoutMs: config.redisConnectTimeoutMs,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      backoffMaxMs: config.redisBackoffMaxMs,
      localCacheBytes: config.localCacheBytes,
    })
    : null;
  const inflight = new Map();
  let knownVersion = '0';

  async function handler(event, context = {}) {
    const started = performance.now();
    const method = event.requestContext?.http?.method ?? 'GET';
    const requestId = context.awsRequestId ?? event.requestContext?.requestId ?? null;
    const resource = resourceKey({ method, path: event.rawPath, query: event.rawQueryString });
    const record = { level: 'info', requestId, method, keyHash: keyHash(resource) };
    const done = (response, extra) => {
      log({ ...record, ...extra, status: response.statusCode, latencyMs: +(performance.now() - started).toFixed(3) });
      return response;
    };

    if (method === 'DELETE') return done(await invalidate(event), { cache: 'PURGE' });
    if (method !== 'GET' && method !== 'HEAD') {
      return done(jsonResponse(405, { message: `${method} is not served by this cache` }, { allow: 'GET, HEAD, DELETE' }),
        { cache: 'NONE' });
    }

    let bypass = !redis;
    let version = null;
    if (redis) {
      try {
        // One round trip (or none, from the instance's tracked copy): the namespace version,
        // and the entry under the version last seen. Only after a purge of everything does
        // the version differ, and a second GET follows.
        let { values: [v, stored], fromLocal } = await redis.getMany([versionKey(config.namespace), storedKey(config.namespace, knownVersion, resource)]);
        version = v ? v.toString() : '0';
        if (version !== knownVersion) {
          knownVersion = version;
          ({ values: [stored], fromLocal } = await redis.getMany([storedKey(config.namespace, version, resource)]));
        }
        const entry = stored && decodeEntry(stored);
        const age = entry ? Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000)) : 0;
        // A copy can outlive the key by the moment the server takes to expire it: not served.
        if (entry && (config.ttlSeconds === 0 || age < config.ttlSeconds)) {
          return done(toResponse(entry, method, { 'x-cache': 'HIT', age: String(age) }),
            { cache: 'HIT', from: fromLocal ? 'instance' : 'redis' });
        }
      } catch (err) {
        bypass = true;
        log({ ...record, level: 'warn', message: `cache unavailable, serving from upstream: ${err.message}` });
      }
    }

    let flight = inflight.get(resource);
    const leader = !flight;
    if (leader) {
      flight = fetchUpstream(event).then(async (result) => {
        if (!bypass && result.cacheable) await store(storedKey(config.namespace, version, resource), result.entry, record);
        return result;
      }).finally(() => inflight.delete(resource));
      inflight.set(resource, flight);
    }
    const result = await flight;
    const cache = bypass ? 'BYPASS' : 'MISS';
    if (result.error) return done(result.error, { cache, upstreamError: result.reason, shared: !leader });
    return done(toResponse(result.entry, method, { 'x-cache': cache }),
      { cache, upstreamStatus: result.entry.status, upstreamMs: result.upstreamMs, stored: result.cacheable, shared: !leader });
  }

  /** DELETE: 204 with what went, 404 when nothing was cached, 503 when the cache is down. */
  async function invalidate(event) {
    if (!redis) return jsonResponse(503, { message: 'no cache is configured' });
    try {
      const result = await purge(redis, config.namespace, event).finally(() => redis.dropLocalCopy());
      if (result.mode === 'all') {
        return { statusCode: 204, headers: { 'x-cache-purge': 'all', 'x-cache-namespace-version': String(result.version) }, body: '' };
      }
      if (result.removed === 0) {
        return jsonResponse(404, { message: 'nothing was cached there' }, { 'x-cache-purge': result.mode, 'x-cache-removed': '0' });
      }
      return { statusCode: 204, headers: { 'x-cache-purge': result.mode, 'x-cache-removed': String(result.removed) }, body: '' };
    } catch (err) {
      return jsonResponse(503, { message: `the cache could not be purged: ${err.message}` });
    }
  }

  async function store(key, entry, record) {
    const args = ['SET', key, encodeEntry(entry)];
    if (config.ttlSeconds > 0) args.push('EX', config.ttlSeconds);
    try {
      await redis.command(args);
    } catch (err) {
      log({ ...record, level: 'warn', message: `could not store the response: ${err.message}` });
    }
  }

  async function fetchUpstream(event) {
    const url = upstreamURL(config.upstreamURL, event.rawPath, event.rawQueryString);
    const started = performance.now();
    let res;
    try {
      res = await fetchImpl(url, { method: 'GET', signal: AbortSignal.timeout(config.upstreamTimeoutMs), redirect: 'follow' });
    } catch (err) {
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      return timedOut
        ? { error: jsonResponse(504, { message: 'the upstream API did not answer in time' }), reason: 'timeout' }
        : { error: jsonResponse(502, { message: 'the upstream API could not be reached' }), reason: 'unreachable' };
    }
    let body;
    try {
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      return timedOut
        ? { error: jsonResponse(504, { message: 'the upstream API did not answer in time' }), reason: 'timeout' }
        : { error: jsonResponse(502, { message: 'the upstream API broke off its answer' }), reason: 'broken' };
    }
    const entry = { status: res.status, contentType: res.headers.get('content-type'), body, storedAt: Date.now() };
    const cacheable = res.status >= 200 && res.status < 300 && body.length <= config.maxBodyBytes;
    return { entry, cacheable, upstreamMs: +(performance.now() - started).toFixed(3) };
  }

  handler.redis = redis;
  handler.close = () => redis?.close();
  return handler;
}

/** Joins the upstream base with the request's path and its normalized query. */
export function upstreamURL(base, rawPath, rawQuery) {
  const u = new URL(base);
  const basePath = u.pathname.replace(/\/+$/, '');
  u.pathname = basePath + normalizePath(rawPath);
  const q = normalizeQuery(rawQuery);
  u.search = q ? '?' + q : '';
  return u.toString();
}

function toResponse(entry, method, headers) {
  const textual = isTextual(entry.contentType);
  const out = { statusCode: entry.status, headers: { ...headers } };
  if (entry.contentType) out.headers['content-type'] = entry.contentType;
  if (method === 'HEAD') {
    out.headers['content-length'] = String(entry.body.length);
    out.body = '';
    out.isBase64Encoded = false;
  } else {
    out.body = textual ? entry.body.toString('utf8') : entry.body.toString('base64');
    out.isBase64Encoded = !textual;
  }
  return out;
}

function jsonResponse(statusCode, body, headers = {}) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

let defaultHandler;

/** The Lambda entry point (`index.handler`). */
export async function handler(event, context) {
  defaultHandler ??= createHandler();
  return defaultHandler(event, context);
}
