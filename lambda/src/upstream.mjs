// The upstream call: the request as the client made it (the query as API Gateway received
// it, less the ignored parameters; the path as the key reads it), the headers the settings forward or add,
// redirects not followed. Returns what came back, or a failure; never a rendered error.
import { ignoredParam, normalizePath } from './key.mjs';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the cache sets itself: never stored or relayed. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'proxy-authenticate', 'proxy-authorization']);

/** The raw query without the ignored parameters, every other byte as the client sent it. */
export function queryWithout(rawQuery, ignored) {
  if (!rawQuery || ignored.length === 0) return rawQuery || '';
  return rawQuery.split('&').filter((pair) => {
    const name = pair.split('=')[0];
    let decoded = name;
    try { decoded = decodeURIComponent(name.replace(/\+/g, ' ')); } catch { /* kept as sent */ }
    return !ignoredParam(decoded, ignored);
  }).join('&');
}

/** The upstream base joined with the request's path (as the key reads it: dot segments
 *  resolved, repeated slashes collapsed) and its query as sent; `added` parameters (the
 *  secret ones) go last, a client's own of those names dropped. */
export function upstreamURL(base, rawPath, rawQuery, ignored = [], added = []) {
  const u = new URL(base);
  const basePath = u.pathname.replace(/\/+$/, '');
  const own = queryWithout(rawQuery, [...ignored, ...added.map(([name]) => name)]);
  const extra = added.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const query = [own, ...extra].filter(Boolean).join('&');
  // Assembled as text: URL's setters would re-encode what the client chose to send.
  return `${u.origin}${basePath}${normalizePath(rawPath)}${query ? '?' + query : ''}`;
}

/**
 * One GET to the upstream. `headers` are sent as given. Returns { status, headers (a Map,
 * lowercased names, repeated values comma-joined), setCookies, body, requestedAt,
 * receivedAt, ms } or { failure: 'timeout' | 'unreachable' | 'broken' }.
 */
export async function callUpstream(fetchImpl, url, { headers = {}, timeoutMs }) {
  const requestedAt = Date.now();
  const started = performance.now();
  let res;
  try {
    res = await fetchImpl(url, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    return { failure: timedOut(err) ? 'timeout' : 'unreachable' };
  }
  let body;
  try {
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    return { failure: timedOut(err) ? 'timeout' : 'broken' };
  }
  const out = new Map();
  for (const [name, value] of res.headers) {
    if (name === 'set-cookie' || HOP_BY_HOP.has(name)) continue;
    out.set(name, value);
  }
  // fetch has decoded the body: its encoding and length are no longer the upstream's.
  out.delete('content-encoding');
  out.delete('content-length');
  const setCookies = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
  if (setCookies.length) out.set('set-cookie', setCookies.join(', '));
  return { status: res.status, headers: out, setCookies, body, requestedAt, receivedAt: Date.now(),
    ms: +(performance.now() - started).toFixed(3) };
}

/**
 * Takes the secret query parameters out of the URLs an answer points to (Location,
 * Content-Location): a redirect that keeps the query must not hand every client the key.
 */
export function withoutSecrets(headers, secretQuery) {
  const names = new Set(secretQuery.map(([name]) => name));
  for (const name of ['location', 'content-location']) {
    const value = headers.get(name);
    if (!value || !value.includes('?')) continue;
    const [before, ...rest] = value.split('?');
    const [query, fragment] = rest.join('?').split('#');
    const kept = query.split('&').filter((pair) => {
      let key = pair.split('=')[0];
      try { key = decodeURIComponent(key.replace(/\+/g, ' ')); } catch { /* as sent */ }
      return !names.has(key);
    }).join('&');
    headers.set(name, `${before}${kept ? '?' + kept : ''}${fragment !== undefined ? '#' + fragment : ''}`);
  }
}

/** The timeout's abort reaches the connect and the body alike. */
function timedOut(err) {
  return err?.name === 'TimeoutError' || err?.name === 'AbortError';
}
