// How a response is stored: one JSON header line, a newline, then the body bytes (gzip'd
// when that saves memory, which is what an ElastiCache node costs), so binary bodies cost
// nothing extra in Redis. Set-Cookie is never part of an entry.
import { gunzipSync, gzipSync } from 'node:zlib';

/** Bodies smaller than this are kept (and sent) as they are: gzip's header would eat the saving. */
export const COMPRESS_FROM_BYTES = 1024;

/** gzip as the cache packs bodies, stored or sent. */
export const gzip = (body) => gzipSync(body, { level: 6 });

/**
 * { status, headers (Map), body, storedAt, initialAge, lifetime } as bytes. The body is
 * stored gzip'd when its type compresses and that makes it at least 10% smaller.
 */
export function encodeEntry({ status, headers, body, storedAt, initialAge = 0, lifetime = null, staleWindow = 0 }) {
  let stored = body, z = null;
  if (body.length >= COMPRESS_FROM_BYTES && isCompressible(headers.get('content-type'))) {
    const packed = gzip(body);
    if (packed.length < body.length * 0.9) [stored, z] = [packed, 'gzip'];
  }
  const h = [...headers].filter(([name]) => name !== 'set-cookie');
  const head = JSON.stringify({ s: status, h, t: storedAt, a: initialAge, l: lifetime, w: staleWindow, z, n: body.length });
  return Buffer.concat([Buffer.from(head + '\n'), stored]);
}

/** The entry, with `body` (as the upstream sent it) and, when stored so, `gzipped`; null
 *  for bytes that are not an entry. */
export function decodeEntry(buf) {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return null;
  let head;
  try {
    head = JSON.parse(buf.toString('utf8', 0, nl));
  } catch {
    return null;
  }
  if (!Number.isInteger(head?.s) || !Array.isArray(head.h)) return null;
  const stored = buf.subarray(nl + 1);
  const entry = { status: head.s, headers: new Map(head.h), storedAt: head.t, initialAge: head.a ?? 0,
    lifetime: head.l ?? null, staleWindow: head.w ?? 0, size: head.n ?? stored.length };
  if (head.z === 'gzip') {
    entry.gzipped = stored;
    // Unpacked on first use only: a client that takes gzip gets the stored bytes as they are.
    let body = null;
    Object.defineProperty(entry, 'body', { enumerable: true, get: () => (body ??= gunzipSync(stored)) });
  } else {
    entry.body = stored;
  }
  return entry;
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** API Gateway carries text as is and anything else as base64. */
export function isTextual(contentType) {
  return !contentType || TEXTUAL.test(contentType);
}

const COMPRESSIBLE = /^(text\/|application\/(json|xml|javascript|x-ndjson|graphql-response\+json)|image\/svg\+xml|[^;]*\+(json|xml))/i;

/** Types worth compressing: text; images, archives and video already are compressed. */
export function isCompressible(contentType) {
  return Boolean(contentType) && COMPRESSIBLE.test(contentType);
}
