// The API Gateway side (HTTP API, payload 2.0): the request an event carries, and the
// response objects the function returns, with what a cache adds (Age, x-cache, 304s,
// compression for clients that take it).
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { currentAge, notModified } from './policy.mjs';
import { COMPRESS_FROM_BYTES, gzip, isCompressible, isTextual } from './entry.mjs';

/** Lambda refuses a response payload over 6 MB (the JSON around the body included). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 4096;

/** Headers a 304 carries (RFC 9110 §15.4.5), and the validators. */
const NOT_MODIFIED_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified'];

/** Payload 2.0 lowercases header names and puts cookies in their own array. */
export function readRequest(event) {
  const method = event.requestContext?.http?.method ?? 'GET';
  return { method, rawPath: event.rawPath || '/', rawQuery: event.rawQueryString || '', headers: event.headers ?? {},
    cookies: event.cookies ?? [] };
}

/**
 * The response for a stored (or storable) answer: its headers as the upstream sent them,
 * `age`, `x-cache`, a 304 where the request's condition matches, and the body compressed
 * when the client takes gzip or br and that saves bytes. `extra` adds headers (diagnostics).
 */
export function entryResponse(entry, request, xCache, { now = Date.now(), cookies = [] } = {}) {
  const headers = {};
  for (const [name, value] of entry.headers) if (name !== 'set-cookie' && name !== 'age') headers[name] = value;
  headers.age = String(currentAge(entry, now));
  headers['x-cache'] = xCache;
  const compressible = isCompressible(entry.headers.get('content-type'));
  if (compressible) headers.vary = withVary(headers.vary, 'Accept-Encoding');
  if (notModified(request.headers, entry.headers, entry.status)) {
    const kept = { age: headers.age, 'x-cache': headers['x-cache'] };
    for (const name of NOT_MODIFIED_HEADERS) if (headers[name] !== undefined) kept[name] = headers[name];
    return { statusCode: 304, headers: kept, body: '', isBase64Encoded: false, ...(cookies.length && { cookies }) };
  }
  const out = { statusCode: entry.status, headers };
  if (cookies.length) out.cookies = cookies;
  const encoded = compressible ? encodeFor(request.headers['accept-encoding'], entry) : null;
  const body = encoded?.body ?? entry.body;
  if (encoded) {
    headers['content-encoding'] = encoded.encoding;
    // Another representation of the same answer (RFC 9110 §8.8.3): its tag cannot be a strong one.
    if (headers.etag && !headers.etag.startsWith('W/')) headers.etag = `W/${headers.etag}`;
  }
  const textual = !encoded && isTextual(entry.headers.get('content-type'));
  if (request.method === 'HEAD') {
    headers['content-length'] = String(body.length);
    return { ...out, body: '', isBase64Encoded: false };
  }
  const text = textual ? body.toString('utf8') : body.toString('base64');
  // As Lambda serializes it: JSON escapes quotes, backslashes and control characters.
  const payload = body.length * (textual ? 1 : 4 / 3) > MAX_RESPONSE_BYTES / 2 ? Buffer.byteLength(JSON.stringify(text)) : 0;
  if (payload > MAX_RESPONSE_BYTES) {
    return jsonResponse(502, { message: `the upstream's answer (${body.length} bytes) is larger than a Lambda response may be (6 MB)` },
      { 'x-cache': xCache });
  }
  return { ...out, body: text, isBase64Encoded: !textual };
}

/** Adds a name to a Vary list unless it is there. */
function withVary(vary, name) {
  if (!vary) return name;
  return vary.split(',').some((v) => v.trim().toLowerCase() === name.toLowerCase()) ? vary : `${vary}, ${name}`;
}

/** The encodings a client takes (q > 0), from its Accept-Encoding; `*` stands for the ones
 *  it does not name, so an explicit q=0 is a refusal that `*` does not undo. */
function accepted(acceptEncoding) {
  const takes = new Set(), refuses = new Set();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name) (q && Number(q.slice(2)) === 0 ? refuses : takes).add(name);
  }
  if (takes.has('*')) for (const name of ['gzip', 'br']) if (!refuses.has(name)) takes.add(name);
  for (const name of refuses) takes.delete(name);
  return takes;
}

/** gzip (the stored bytes when the entry is kept gzip'd) or br, when smaller; null: as is. */
function encodeFor(acceptEncoding, entry) {
  const takes = accepted(acceptEncoding);
  // An answer just fetched has no stored size: its body is as the upstream sent it.
  const size = entry.size ?? entry.body.length;
  if (size < COMPRESS_FROM_BYTES || takes.size === 0) return null;
  if (takes.has('gzip')) {
    const body = entry.gzipped ?? gzip(entry.body);
    return body.length < size ? { encoding: 'gzip', body } : null;
  }
  if (takes.has('br')) {
    const body = brotliCompressSync(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
    return body.length < size ? { encoding: 'br', body } : null;
  }
  return null;
}

export function jsonResponse(statusCode, body, headers = {}) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
