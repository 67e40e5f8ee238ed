// The caching rules, as pure functions of a request, a response and the settings: may this
// answer be stored, for how long, is a stored entry still fresh, does a request's
// condition match it. RFC 9111 for a shared cache, with the departures the README names.

/** Statuses stored when their freshness comes from the settings alone (RFC 9110 §15.1's
 *  heuristically cacheable list without 404, 405, 410, 414, 501: see the README). */
const STORED_BY_DEFAULT = new Set([200, 203, 204, 300, 301, 308]);
/** Stored only with --negative-ttl or freshness the upstream gave. */
const NEGATIVE = new Set([404, 410]);
/** Stored only with freshness the upstream gave (a temporary redirect). */
const EXPLICIT_ONLY = new Set([302, 307]);

/** Cache-Control as a map of lowercased directives to their (unquoted) values, or true. */
export function parseCacheControl(value) {
  const out = new Map();
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!name) continue;
    const raw = eq < 0 ? true : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (!out.has(name)) out.set(name, raw);
  }
  return out;
}

/** A delta-seconds value; null when it is not one (RFC 9111 §1.2.2). */
function seconds(v) {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return null;
  return Math.min(Number(v), 2 ** 31);
}

/** An HTTP date in milliseconds, or null. */
function httpDate(v) {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/**
 * The freshness lifetime the upstream gave, in seconds (RFC 9111 §4.2.1, as a shared
 * cache: s-maxage, then max-age, then Expires - Date); null when it gave none. An invalid
 * Expires (or one in the past) is already stale: 0.
 */
export function explicitLifetime(headers, receivedAt) {
  const cc = parseCacheControl(headers.get('cache-control'));
  for (const d of ['s-maxage', 'max-age']) {
    if (cc.has(d)) return seconds(cc.get(d)) ?? 0;
  }
  if (!headers.has('expires')) return null;
  const expires = httpDate(headers.get('expires'));
  if (expires === null) return 0;
  const date = httpDate(headers.get('date')) ?? receivedAt;
  return Math.max(0, Math.floor((expires - date) / 1000));
}

/**
 * The age a response already had when it arrived (RFC 9111 §4.2.3: the larger of what its
 * Date says and its Age header plus the time the request took), in seconds.
 */
export function initialAge(headers, requestedAt, receivedAt) {
  const date = httpDate(headers.get('date'));
  const apparent = date === null ? 0 : Math.max(0, (receivedAt - date) / 1000);
  const corrected = (seconds(headers.get('age')) ?? 0) + (receivedAt - requestedAt) / 1000;
  return Math.floor(Math.max(apparent, corrected));
}

/** An entry's age now: what it had on arrival plus its time in the cache. */
export function currentAge(entry, now = Date.now()) {
  return entry.initialAge + Math.max(0, Math.floor((now - entry.storedAt) / 1000));
}

/** Fresh: younger than its lifetime (null: no expiry, `--cache-ttl 0`). */
export function isFresh(entry, now = Date.now()) {
  return entry.lifetime === null || currentAge(entry, now) < entry.lifetime;
}

/**
 * Whether a response may be stored and for how long: { store: true, lifetime } (seconds;
 * null: no expiry) or { store: false, reason }. `rule` holds the settings that apply to its
 * path: ttl (0: no expiry), minTtl, maxTtl, negativeTtl, cacheControl ('honor' | 'ignore').
 */
export function storability(response, rule, { maxBodyBytes }) {
  const { status, headers } = response;
  const cc = parseCacheControl(headers.get('cache-control'));
  // What is never shared, whatever the settings say: answers meant for one client.
  if (headers.has('set-cookie')) return pass('set-cookie');
  if ((headers.get('vary') ?? '').split(',').some((v) => v.trim() === '*')) return pass('vary-star');
  if (status === 206) return pass('partial');
  if (response.body.length > maxBodyBytes) return pass('too-large');
  // Meant for one client, whatever the settings: never shared, `--cache-control ignore` or not.
  if (cc.has('no-store')) return pass('no-store');
  if (cc.has('private')) return pass('private');
  const honor = rule.cacheControl !== 'ignore';
  if (honor && cc.has('no-cache')) return pass('no-cache');
  const explicit = honor ? explicitLifetime(headers, response.receivedAt) : null;
  let lifetime;
  if (STORED_BY_DEFAULT.has(status)) {
    lifetime = explicit ?? (rule.ttl === 0 ? null : rule.ttl);
  } else if (NEGATIVE.has(status)) {
    lifetime = explicit ?? (rule.negativeTtl > 0 ? rule.negativeTtl : undefined);
  } else if (EXPLICIT_ONLY.has(status)) {
    lifetime = explicit ?? undefined;
  }
  if (lifetime === undefined) return pass(`status-${status}`);
  // CloudFront's MinTTL and MaxTTL: what the upstream says, clamped (never a no-store);
  // --max-ttl bounds the settings' own lifetime too (no expiry included).
  if (explicit !== null && lifetime !== null) lifetime = Math.max(lifetime, rule.minTtl ?? 0);
  if (rule.maxTtl > 0) lifetime = lifetime === null ? rule.maxTtl : Math.min(lifetime, rule.maxTtl);
  // Stale at once and nothing to revalidate with: storing it would only fill memory.
  if (lifetime === 0 && !hasValidator(headers)) return pass('stale');
  return { store: true, lifetime };
}

function pass(reason) {
  return { store: false, reason };
}

/** An ETag or a Last-Modified: what a stale entry can be revalidated with. */
export function hasValidator(headers) {
  return headers.has('etag') || headers.has('last-modified');
}

/** Directives after which a stale copy may never be served (RFC 9111 §4.2.4, §5.2.2). */
const NEVER_STALE = ['must-revalidate', 'proxy-revalidate', 'no-cache', 's-maxage'];

/**
 * How long past its freshness a copy may still answer when the upstream fails (RFC 5861's
 * stale-if-error): the upstream's own `stale-if-error=N` where given, else the setting
 * (`--stale-ttl`); 0 when the answer forbids stale use.
 */
export function staleWindow(headers, rule) {
  const cc = parseCacheControl(headers.get('cache-control'));
  if (NEVER_STALE.some((d) => cc.has(d))) return 0;
  return seconds(cc.get('stale-if-error')) ?? rule.staleTtl ?? 0;
}

/** Whether a stale entry may still answer now (a failed upstream, within its window). */
export function isUsableStale(entry, now = Date.now()) {
  if (entry.lifetime === null) return true;
  return currentAge(entry, now) < entry.lifetime + (entry.staleWindow ?? 0);
}

/** The most a Retry-After holds every instance back: an hour. */
const MAX_BACKOFF_MS = 3600 * 1000;

/**
 * When a 429 or 503 asks callers to come back (Retry-After: seconds, or an HTTP date), in
 * ms since the epoch; 0 for any other answer. Capped at an hour.
 */
export function retryAfter(status, headers, now = Date.now()) {
  if (status !== 429 && status !== 503) return 0;
  const v = headers.get('retry-after');
  if (!v) return 0;
  const at = /^\d+$/.test(v.trim()) ? now + Number(v.trim()) * 1000 : httpDate(v);
  if (at === null || at <= now) return 0;
  return Math.min(at, now + MAX_BACKOFF_MS);
}

/** Upstream answers a stale copy stands in for: RFC 5861's errors and, by our choice, a 429. */
export function failedStatus(status) {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * How long Redis keeps an entry: its lifetime, then its stale window, and at least as long
 * again (a minute to a day) when it can be revalidated, so a stale entry costs a 304, not a
 * download.
 */
export function retention(lifetime, headers, window = 0) {
  if (lifetime === null) return null;
  const revalidate = hasValidator(headers) ? Math.min(86400, Math.max(60, lifetime)) : 0;
  return Math.max(1, lifetime + Math.max(window, revalidate));
}

/** Weak comparison of entity tags (RFC 9110 §8.8.3.2): W/ prefixes do not count. */
function weakMatch(a, b) {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '');
}

/**
 * Whether a conditional GET or HEAD is answered 304 from this entry (RFC 9110 §13.1.2,
 * §13.1.3): If-None-Match against its ETag, else If-Modified-Since against its
 * Last-Modified. Only for a 200: another status answers as it is.
 */
export function notModified(requestHeaders, entryHeaders, status) {
  if (status !== 200) return false;
  const inm = requestHeaders['if-none-match'];
  if (inm !== undefined) {
    const etag = entryHeaders.get('etag');
    if (!etag) return false;
    return inm.split(',').map((t) => t.trim()).some((t) => t === '*' || weakMatch(t, etag));
  }
  const ims = httpDate(requestHeaders['if-modified-since']);
  const lastModified = httpDate(entryHeaders.get('last-modified'));
  return ims !== null && lastModified !== null && lastModified <= ims;
}
