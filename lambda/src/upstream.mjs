// The upstream call: the request as the client made it (path and query as API Gateway
// received them, less the ignored parameters), the headers the settings forward or add,
// redirects not followed. Returns what came back, or a failure; never a rendered error.

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the cache sets itself: never stored or relayed. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'proxy-authenticate', 'proxy-authorization']);

/** Whether a query parameter's name matches one of the ignored names (`utm_*`: a prefix). */
export function ignoredParam(name, ignored) {
  return ignored.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

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

/** The upstream base joined with the request's path and query, neither rewritten; `added`
 *  parameters (the secret ones) go last, a client's own of those names dropped. */
export function upstreamURL(base, rawPath, rawQuery, ignored = [], added = []) {
  const u = new URL(base);
  const basePath = u.pathname.replace(/\/+$/, '');
  const own = queryWithout(rawQuery, [...ignored, ...added.map(([name]) => name)]);
  const extra = added.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const query = [own, ...extra].filter(Boolean).join('&');
  // Assembled as text: URL's setters would re-encode what the client chose to send.
  return `${u.origin}${basePath}${rawPath || '/'}${query ? '?' + query : ''}`;
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

/** The timeout's abort reaches the connect and the body alike. */
function timedOut(err) {
  return err?.name === 'TimeoutError' || err?.name === 'AbortError';
}
