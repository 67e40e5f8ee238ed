// The read-through cache proxy: API Gateway HTTP API (payload 2.0) -> Redis -> upstream.
// One Redis connection per instance, opened as the instance starts and reused; the cache
// never takes the API down, nor holds up a cold start's first answer.
import { setDefaultResultOrder } from 'node:dns';
import { readConfig } from './config.mjs';
import { RedisClient } from './redis.mjs';
import { ClusterClient } from './cluster.mjs';
import { IamTokenProvider } from './iam-auth.mjs';
import { keyHash, normalizePath, normalizeQuery, resourceKey, storedKey, versionKey } from './key.mjs';
import { purge, PurgeModeError } from './purge.mjs';
import { decodeEntry, encodeEntry, isTextual } from './entry.mjs';
import { diagnosticHeaders, wantsDiagnostics } from './diagnostics.mjs';

/** A JSON line per request on stdout, where Lambda ships it to CloudWatch Logs. */
const stdoutLog = (record) => process.stdout.write(JSON.stringify(record) + '\n');

const NO_CACHE = { on: false, reason: 'no cache is configured (REDIS_URL is not set)' };

/**
 * Builds a handler with its own configuration, connection and in-flight table, and starts
 * connecting at once (TLS, AUTH, RESP3 and tracking take round trips a first request
 * should not wait for). Lambda uses the default one below; tests build as many as they need.
 */
export function createHandler({ env = process.env, log = stdoutLog, fetchImpl = globalThis.fetch } = {}) {
  const config = readConfig(env);
  // Node tries every address of a name (IPv4 and IPv6 alternating, from the first one
  // given): first in line must be IPv6 where IPv4 leads nowhere.
  if (config.preferIPv6) setDefaultResultOrder('ipv6first');
  const iamTokens = config.iamAuth && new IamTokenProvider(config.iamAuth);
  const Client = config.redisCluster ? ClusterClient : RedisClient;
  const redis = config.redisURL
    ? new Client(config.redisURL, {
      token: iamTokens ? () => iamTokens.current() : config.redisToken,
      reauthMs: iamTokens ? config.redisReauthMs : 0,
      username: config.redisUsername,
      ca: config.redisCA,
      connectTimeoutMs: config.redisConnectTimeoutMs,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      backoffMaxMs: config.redisBackoffMaxMs,
      localCacheBytes: config.localCacheBytes,
      serverless: config.redisServerless,
      onConnect: noteInstanceCopy,
    })
    : null;
  const inflight = new Map();
  /** Stores of answers that went out before the cache was ready, by resource. */
  const storing = new Map();
  let knownVersion = '0';
  const namespaceVersion = versionKey(config.namespace);
  redis?.open();

  /** Once per connection: a copy that is off says why (ElastiCache may refuse tracking). */
  function noteInstanceCopy(client) {
    const copy = client.instanceCopy;
    if (!copy.on) log({ level: 'warn', message: `instance copy off, every hit is a round trip to redis: ${copy.reason}` });
  }

  async function handler(event, context = {}) {
    const started = performance.now();
    const method = event.requestContext?.http?.method ?? 'GET';
    const requestId = context.awsRequestId ?? event.requestContext?.requestId ?? null;
    const resource = resourceKey({ method, path: event.rawPath, query: event.rawQueryString });
    const record = { level: 'info', requestId, method, keyHash: keyHash(resource) };
    const diagnostics = wantsDiagnostics(event.headers);
    const done = (response, extra) => {
      log({ ...record, ...extra, status: response.statusCode, latencyMs: +(performance.now() - started).toFixed(3) });
      if (!diagnostics) return response;
      // A copy: a single-flight answer is shared with requests that did not ask.
      const copy = redis ? redis.instanceCopy : NO_CACHE;
      return { ...response, headers: { ...response.headers, ...diagnosticHeaders(copy, extra.from) } };
    };

    if (method === 'DELETE') return done(await invalidate(event), { cache: 'PURGE' });
    if (method !== 'GET' && method !== 'HEAD') {
      return done(jsonResponse(405, { message: `${method} is not served by this cache` }, { allow: 'GET, HEAD, DELETE' }),
        { cache: 'NONE' });
    }

    let bypass = !redis;
    let storeKey = Promise.resolve(null);
    let early = null;
    if (redis) {
      // After an answer that went out before its store, the resource is read once stored.
      const looking = (storing.get(resource) ?? Promise.resolve()).then(() => lookup(resource));
      storeKey = looking.then((found) => (found.entry ? null : found.key), () => null);
      // A cold start (or a reconnect): the connection is still opening, so the upstream is
      // asked at once, alongside; a miss is served by whichever answers first.
      if (!redis.readyFor(lookupKeys(resource))) {
        early = join(event, resource, storeKey, record);
      }
      try {
        const found = await (early ? Promise.race([looking, early.flight.then(() => null)]) : looking);
        if (found?.entry) {
          return done(toResponse(found.entry, method, { 'x-cache': 'HIT', age: String(found.age) }),
            { cache: 'HIT', from: found.fromLocal ? 'instance' : 'redis' });
        }
      } catch (err) {
        bypass = true;
        log({ ...record, level: 'warn', message: `cache unavailable, serving from upstream: ${err.message}` });
      }
    }

    const { flight, leader } = early ?? join(event, resource, storeKey, record);
    const result = await flight;
    const cache = bypass ? 'BYPASS' : 'MISS';
    if (result.error) return done(result.error, { cache, upstreamError: result.reason, shared: !leader });
    return done(toResponse(result.entry, method, { 'x-cache': cache }),
      { cache, upstreamStatus: result.entry.status, upstreamMs: result.upstreamMs, stored: result.cacheable, shared: !leader });
  }

  /** What a lookup reads: the namespace version, and the entry under the version last seen. */
  function lookupKeys(resource) {
    return [namespaceVersion, storedKey(config.namespace, knownVersion, resource)];
  }

  /**
   * The entry a request would be served from, and `key`, where its miss is stored. One round
   * trip (or none, from the instance's copy): the namespace version, and the entry under the
   * version last seen. Only after a purge of everything does the version differ, and a
   * second GET follows.
   */
  async function lookup(resource) {
    let { values: [v, stored], fromLocal } = await redis.getMany(lookupKeys(resource));
    const version = v ? v.toString() : '0';
    if (version !== knownVersion) {
      knownVersion = version;
      ({ values: [stored], fromLocal } = await redis.getMany([storedKey(config.namespace, version, resource)]));
    }
    const entry = stored && decodeEntry(stored);
    const age = entry ? Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000)) : 0;
    // A copy can outlive the key by the moment the server takes to expire it: not served.
    const fresh = entry && (config.ttlSeconds === 0 || age < config.ttlSeconds);
    return { entry: fresh ? entry : null, age, fromLocal, key: storedKey(config.namespace, version, resource) };
  }

  /**
   * The one upstream call per resource in flight (single-flight). It answers once the
   * upstream has and, when the lookup has already said where, once the answer is stored,
   * so the next request hits. An answer that beats the lookup (a cold start) goes out at
   * once; its store follows when the cache is ready, and lookups of it wait for that.
   */
  function join(event, resource, storeKey, record) {
    const joined = inflight.get(resource);
    if (joined) return { flight: joined, leader: false };
    let keyKnown = false;
    storeKey.then(() => { keyKnown = true; });
    const flight = fetchUpstream(upstreamURL(config.upstreamURL, event.rawPath, event.rawQueryString)).then((result) => {
      const stored = store(result, storeKey, record);
      if (keyKnown) return stored.then(() => result);
      storing.set(resource, stored);
      stored.then(() => { if (storing.get(resource) === stored) storing.delete(resource); });
      return result;
    }).finally(() => inflight.delete(resource));
    inflight.set(resource, flight);
    return { flight, leader: true };
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
      if (err instanceof PurgeModeError) return jsonResponse(400, { message: err.message });
      return jsonResponse(503, { message: `the cache could not be purged: ${err.message}` });
    }
  }

  /** Stores a cacheable answer where its lookup said the miss goes: nowhere after a hit, a
   *  failed lookup or without a cache. Never throws: the answer goes out either way. */
  async function store(result, storeKey, record) {
    const key = result.cacheable ? await storeKey : null;
    if (!key) return;
    const args = ['SET', key, encodeEntry(result.entry)];
    if (config.ttlSeconds > 0) args.push('EX', config.ttlSeconds);
    try {
      await redis.command(args);
    } catch (err) {
      log({ ...record, level: 'warn', message: `could not store the response: ${err.message}` });
    }
  }

  /** Never throws: a failure is an `error` response (502 or 504) with its `reason`. */
  async function fetchUpstream(url) {
    const started = performance.now();
    let res;
    try {
      res = await fetchImpl(url, { method: 'GET', signal: AbortSignal.timeout(config.upstreamTimeoutMs), redirect: 'follow' });
    } catch (err) {
      return upstreamFailure(err, { reason: 'unreachable', message: 'the upstream API could not be reached' });
    }
    let body;
    try {
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      return upstreamFailure(err, { reason: 'broken', message: 'the upstream API broke off its answer' });
    }
    const entry = { status: res.status, contentType: res.headers.get('content-type'), body, storedAt: Date.now() };
    const cacheable = res.status >= 200 && res.status < 300 && body.length <= config.maxBodyBytes;
    return { entry, cacheable, upstreamMs: +(performance.now() - started).toFixed(3) };
  }

  handler.redis = redis;
  handler.close = () => redis?.close();
  return handler;
}

/** A failed upstream call, whichever step failed: out of time is a 504 (the timeout's abort
 *  reaches the connect and the body alike), anything else the step's own 502. */
function upstreamFailure(err, otherwise) {
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return { error: jsonResponse(504, { message: 'the upstream API did not answer in time' }), reason: 'timeout' };
  }
  return { error: jsonResponse(502, { message: otherwise.message }), reason: otherwise.reason };
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
try {
  // Made as the module loads, so the cache connection opens during the instance's init.
  defaultHandler = createHandler();
} catch {
  // A configuration error fails each invocation instead, as it always has, not the init.
}
// Node loads and compiles its fetch (undici) on the first call: ~15 ms that would otherwise
// fall on the first miss. Paid here, while the cache connection's first packets travel.
fetch('data:,').then((res) => res.arrayBuffer(), () => {});

/** The Lambda entry point (`index.handler`). */
export async function handler(event, context) {
  defaultHandler ??= createHandler();
  return defaultHandler(event, context);
}
