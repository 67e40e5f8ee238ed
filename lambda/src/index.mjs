// The read-through cache proxy: API Gateway HTTP API (payload 2.0) -> Redis -> upstream.
// One Redis connection per instance, opened as the instance starts and reused; the cache
// never takes the API down, nor holds up a cold start's first answer.
import { setDefaultResultOrder } from 'node:dns';
import { readConfig } from './config.mjs';
import { RedisClient } from './redis.mjs';
import { ClusterClient } from './cluster.mjs';
import { IamTokenProvider } from './iam-auth.mjs';
import { keyHash, normalizePath, resourceKey, variantKey } from './key.mjs';
import { compileRules, loadRules, settingsFor } from './rules.mjs';
import { purge, PurgeModeError } from './purge.mjs';
import { diagnosticHeaders, wantsDiagnostics } from './diagnostics.mjs';
import { entryResponse, jsonResponse, readRequest } from './http.mjs';
import { callUpstream, upstreamURL, withoutSecrets } from './upstream.mjs';
import { failedStatus, initialAge, isFresh, isUsableStale, retention, retryAfter, staleWindow, storability } from './policy.mjs';
import { EntryStore } from './store.mjs';
import { UpstreamSecrets } from './secrets.mjs';

/** A JSON line per request on stdout, where Lambda ships it to CloudWatch Logs. */
const stdoutLog = (record) => process.stdout.write(JSON.stringify(record) + '\n');

const NO_CACHE = { on: false, reason: 'no cache is configured (REDIS_URL is not set)' };

/**
 * Builds a handler with its own configuration, connection and in-flight table, and starts
 * connecting at once (TLS, AUTH, RESP3 and tracking take round trips a first request
 * should not wait for). Lambda uses the default one below; tests build as many as they need.
 */
export function createHandler({ env = process.env, log = stdoutLog, fetchImpl = globalThis.fetch, rules: ruleList } = {}) {
  const config = readConfig(env);
  /** --cache-rules, from the zip's cache-rules.json (tests hand their own). */
  const rules = compileRules(ruleList ?? loadRules());
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
  const store = redis && new EntryStore(redis, config.namespace);
  /** The settings for a path: its rule's over the function's. */
  const settingsOf = (rawPath) => settingsFor(normalizePath(rawPath), rules, config);
  const secrets = new UpstreamSecrets(config.upstreamSecrets, { region: config.region, credentials: config.roleCredentials,
    endpoint: config.ssmEndpoint, fetchImpl });
  // Read while the instance starts, as the cache connection opens.
  secrets.start()?.catch(() => {});
  /** Left out of the key: the ignored parameters, and those the secrets set (a client's own is dropped). */
  const keyIgnored = (settings) => [...settings.ignoreQueryParams, ...secrets.queryNames];
  const inflight = new Map();
  /** Stores of answers that went out before the cache was ready, by resource. */
  const storing = new Map();
  redis?.open();

  /** Once per connection: a copy that is off says why (ElastiCache may refuse tracking). */
  function noteInstanceCopy(client) {
    const copy = client.instanceCopy;
    if (!copy.on) log({ level: 'warn', message: `instance copy off, every hit is a round trip to redis: ${copy.reason}` });
  }

  /**
   * request -> lookup -> fresh: HIT (or 304) | stale: revalidate (with its validator) | none:
   * upstream -> policy -> store -> response (MISS, PASS, REVALIDATED; BYPASS without cache;
   * STALE: the upstream failed and a stale copy may stand in).
   */
  async function handler(event, context = {}) {
    const started = performance.now();
    const request = readRequest(event);
    const { method } = request;
    const requestId = context.awsRequestId ?? event.requestContext?.requestId ?? null;
    const settings = settingsOf(request.rawPath);
    const resource = resourceOf(request, settings);
    const record = { level: 'info', requestId, method, keyHash: keyHash(resource), ...(settings.index >= 0 && { rule: settings.index + 1 }) };
    const diagnostics = wantsDiagnostics(request.headers);
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
    // A credentialed request (--client-credentials pass): its own answer, never a shared one.
    const credentials = carriesCredentials(request);
    if (credentials || !settings.cache) return done(...answered(await ask(request, settings, null, { credentials, passed: true }), request, true));

    let bypass = !redis;
    let storeKey = Promise.resolve(null);
    let early = null;
    let stale = null;
    if (redis) {
      // After an answer that went out before its store, the resource is read once stored.
      const looking = (storing.get(resource) ?? Promise.resolve()).then(() => store.lookup(resource));
      storeKey = looking.then((found) => (found.entry && isFresh(found.entry) ? null : found.key), () => null);
      // A cold start (or a reconnect): the connection is still opening, so the upstream is
      // asked at once, alongside; a miss is served by whichever answers first.
      if (!redis.readyFor(store.lookupKeys(resource))) early = join(request, settings, resource, storeKey, null);
      try {
        const found = await (early ? Promise.race([looking, early.flight.then(() => null)]) : looking);
        if (found?.entry && isFresh(found.entry)) {
          return done(entryResponse(found.entry, request, 'HIT'), { cache: 'HIT', from: found.fromLocal ? 'instance' : 'redis' });
        }
        if (found?.entry) stale = found.entry;
      } catch (err) {
        bypass = true;
        log({ ...record, level: 'warn', message: `cache unavailable, serving from upstream: ${err.message}` });
      }
    }

    const { flight, leader } = early ?? join(request, settings, resource, storeKey, stale);
    const result = await flight;
    // An answer not to be shared (Set-Cookie, private...) is the leader's alone: a request
    // that joined it asks for its own.
    if (!leader && result.outcome === 'PASS') return done(...answered(await ask(request, settings, null), request, true, { bypass }));
    return done(...answered(result, request, leader, { bypass }));
  }

  /** The response and the log fields for an upstream result. */
  function answered(result, request, leader, { bypass = false } = {}) {
    const cache = result.outcome === 'PASS' ? 'PASS' : bypass ? 'BYPASS' : result.outcome ?? 'MISS';
    if (result.failure) return [failureResponse(result), { cache, upstreamError: result.failure, shared: !leader }];
    const response = entryResponse(result.entry, request, cache, { cookies: leader ? result.cookies : [] });
    return [response, { cache, upstreamStatus: result.upstreamStatus, upstreamMs: result.upstreamMs, stored: result.store,
      reason: result.reason, shared: !leader }];
  }

  /** The key a request is stored under: its resource and, with --forward-header, its variant. */
  function resourceOf(request, settings) {
    const resource = resourceKey({ method: request.method, path: request.rawPath, query: request.rawQuery,
      ignored: keyIgnored(settings) });
    return variantKey(resource, request.headers, settings.forwardHeaders);
  }

  function carriesCredentials(request) {
    return config.clientCredentials === 'pass' && (request.headers.authorization !== undefined || request.cookies.length > 0);
  }

  /**
   * The one upstream call per resource in flight (single-flight). It answers once the
   * upstream has and, when the lookup has already said where, once the answer is stored,
   * so the next request hits. An answer that beats the lookup (a cold start) goes out at
   * once; its store follows when the cache is ready, and lookups of it wait for that.
   */
  function join(request, settings, resource, storeKey, stale) {
    const joined = inflight.get(resource);
    if (joined) return { flight: joined, leader: false };
    let keyKnown = false;
    storeKey.then(() => { keyKnown = true; });
    const flight = ask(request, settings, stale).then((result) => {
      const stored = keep(result, storeKey);
      if (keyKnown) return stored.then(() => result);
      storing.set(resource, stored);
      stored.then(() => { if (storing.get(resource) === stored) storing.delete(resource); });
      return result;
    }).finally(() => inflight.delete(resource));
    inflight.set(resource, flight);
    return { flight, leader: true };
  }

  /** What is sent upstream: the set headers, the forwarded ones, the validators of a stale
   *  entry, and a credentialed request's own Authorization and Cookie. Nothing else. */
  function upstreamHeaders(request, settings, stale, credentials, added) {
    const headers = {};
    for (const name of settings.forwardHeaders) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
    if (credentials) {
      if (request.headers.authorization !== undefined) headers.authorization = request.headers.authorization;
      if (request.cookies.length) headers.cookie = request.cookies.join('; ');
    }
    // Both validators where the entry has both (RFC 9111 §4.3.1).
    if (stale?.headers.has('etag')) headers['if-none-match'] = stale.headers.get('etag');
    if (stale?.headers.has('last-modified')) headers['if-modified-since'] = stale.headers.get('last-modified');
    // Last: what the stack sets is never overridden by a client sending the same name.
    return Object.assign(headers, config.upstreamHeaders, added);
  }

  /**
   * Asks the upstream (conditionally, for a stale entry) and decides what its answer is:
   * { outcome: MISS | PASS | REVALIDATED, entry, store, ... } or { failure }.
   */
  async function ask(request, settings, stale, { credentials = false, passed = false } = {}) {
    let added;
    try {
      added = await secrets.current();
    } catch (err) {
      log({ level: 'warn', message: `the upstream's credentials could not be read: ${err.message}` });
      return { failure: 'credentials' };
    }
    // The upstream asked the whole fleet to wait (Retry-After): a stale copy, or a 503 saying how long.
    const until = await backoffUntil();
    if (until > Date.now()) {
      if (stale && isUsableStale(stale)) return { outcome: 'STALE', entry: stale, store: false, reason: 'backoff' };
      return { failure: 'backoff', retryAfter: Math.ceil((until - Date.now()) / 1000) };
    }
    const url = upstreamURL(config.upstreamURL, request.rawPath, request.rawQuery, settings.ignoreQueryParams, added.query);
    const answer = await callUpstream(fetchImpl, url, { headers: upstreamHeaders(request, settings, stale, credentials, added.headers),
      timeoutMs: config.upstreamTimeoutMs });
    if (!answer.failure && added.query.length) withoutSecrets(answer.headers, added.query);
    const pause = answer.failure ? 0 : retryAfter(answer.status, answer.headers);
    if (pause && store) await store.backOffUntil(pause).catch((err) => log({ level: 'warn', message: `could not record Retry-After: ${err.message}` }));
    // The upstream failed: a stale copy within its window stands in (RFC 5861 stale-if-error).
    const failed = answer.failure ?? (failedStatus(answer.status) ? `status-${answer.status}` : null);
    if (failed && stale && isUsableStale(stale)) {
      return { outcome: 'STALE', entry: stale, store: false, reason: failed, upstreamStatus: answer.status, upstreamMs: answer.ms };
    }
    if (answer.failure) return { failure: answer.failure };
    const timing = { upstreamStatus: answer.status, upstreamMs: answer.ms };
    // 304 to a revalidation: the stored body with the headers the 304 updates (RFC 9111 §4.3.4).
    const revalidated = stale && answer.status === 304;
    const response = revalidated ? refreshed(stale, answer) : { ...answer };
    const decision = passed ? { store: false, reason: credentials ? 'credentials' : 'rule' } : storability(response, settings.rule, config);
    const entry = { status: response.status, headers: response.headers, body: response.body, storedAt: answer.receivedAt,
      initialAge: initialAge(answer.headers, answer.requestedAt, answer.receivedAt), lifetime: decision.store ? decision.lifetime : 0,
      staleWindow: staleWindow(response.headers, settings.rule) };
    const outcome = revalidated ? 'REVALIDATED' : decision.store ? 'MISS' : 'PASS';
    return { outcome, entry, store: decision.store, reason: decision.reason, cookies: revalidated ? [] : answer.setCookies, ...timing };
  }

  /** The fleet's Retry-After mark; 0 without a cache, before it is ready (a cold start asks at
   *  once) or when its shard cannot say: the upstream's own limit then speaks (fails open). */
  async function backoffUntil() {
    if (!store || !redis.ready) return 0;
    try { return await store.backoffUntil(); } catch { return 0; }
  }

  /** A stale entry updated by the upstream's 304 (RFC 9111 §4.3.4): its headers over the
   *  stored ones, a Date of now where it sent none (so Expires counts from the 304, not the
   *  first answer), Set-Cookie never kept. */
  function refreshed(stale, answer) {
    const headers = new Map([...stale.headers, ...answer.headers]);
    if (!answer.headers.has('date')) headers.set('date', new Date(answer.receivedAt).toUTCString());
    headers.delete('set-cookie');
    return { status: stale.status, headers, body: stale.body, receivedAt: answer.receivedAt };
  }

  /** DELETE: 204 with what went, 404 when nothing was cached, 503 when the cache is down. */
  async function invalidate(event) {
    if (!redis) return jsonResponse(503, { message: 'no cache is configured' });
    try {
      const settings = settingsOf(event.rawPath || '/');
      const result = await purge(store, { ignoreQueryParams: keyIgnored(settings), forwardHeaders: settings.forwardHeaders }, event).finally(() => redis.dropLocalCopy());
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

  /** Stores a storable answer where its lookup said the miss goes: nowhere after a hit, a
   *  failed lookup or without a cache. Never throws: the answer goes out either way. */
  async function keep(result, storeKey) {
    const key = result.store ? await storeKey : null;
    if (!key) return;
    try {
      await store.put(key, result.entry, retention(result.entry.lifetime, result.entry.headers, result.entry.staleWindow));
    } catch (err) {
      log({ level: 'warn', message: `could not store the response: ${err.message}` });
    }
  }

  handler.redis = redis;
  handler.close = () => redis?.close();
  return handler;
}

/** A failed upstream call as the client gets it: out of time is a 504, a fleet-wide
 *  Retry-After a 503 saying how long, anything else a 502. */
function failureResponse({ failure, retryAfter: wait }) {
  if (failure === 'backoff') {
    return jsonResponse(503, { message: 'the upstream asked callers to wait (Retry-After); try again later' }, { 'retry-after': String(wait) });
  }
  if (failure === 'timeout') return jsonResponse(504, { message: 'the upstream API did not answer in time' });
  if (failure === 'broken') return jsonResponse(502, { message: 'the upstream API broke off its answer' });
  if (failure === 'credentials') return jsonResponse(502, { message: 'the upstream API\'s credentials could not be read (see the function\'s log)' });
  return jsonResponse(502, { message: 'the upstream API could not be reached' });
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
