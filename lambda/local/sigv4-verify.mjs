// SigV4 verification for the local front's purge route, standing in for API Gateway's
// AWS_IAM authorization: the same canonical request AWS builds, checked against the key
// pair `cachedemo local` generated for this run.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** RFC 3986: everything but A-Z a-z 0-9 - . _ ~ is percent-encoded. */
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(text) {
  try { return decodeURIComponent(text); } catch { return text; }
}

/** Every service but S3: dot segments and repeated slashes removed, then encoded again. */
function canonicalPath(rawPath) {
  const out = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { out.pop(); continue; }
    out.push(seg);
  }
  const trailing = rawPath.endsWith('/') && out.length ? '/' : '';
  return '/' + out.map(uriEncode).join('/') + trailing;
}

function canonicalQuery(rawQuery) {
  if (!rawQuery) return '';
  return rawQuery.split('&').filter(Boolean).map((piece) => {
    const eq = piece.indexOf('=');
    const [k, v] = eq < 0 ? [piece, ''] : [piece.slice(0, eq), piece.slice(eq + 1)];
    return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))];
  }).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Returns null when the request is signed by `credentials` for execute-api in `region`,
 * or the reason it is not.
 */
export function verifySigV4({ method, url, headers, body }, { accessKeyId, secretAccessKey, region }, now = Date.now()) {
  const m = AUTH.exec(headers.authorization || '');
  if (!m) return 'missing or malformed Authorization header';
  const [, keyId, day, scopeRegion, service, signedHeaders, signature] = m;
  if (keyId !== accessKeyId) return 'unknown access key';
  if (service !== 'execute-api' || scopeRegion !== region) return 'wrong credential scope';
  const amzDate = headers['x-amz-date'] || '';
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!amzDate.startsWith(day) || Number.isNaN(when) || Math.abs(now - when) > 15 * 60 * 1000) return 'request time too skewed';
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return 'host is not signed';
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const payloadHash = headers['x-amz-content-sha256'] || sha256(body);
  const canonical = [method, canonicalPath(rawPath), canonicalQuery(rawQuery), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, toSign).toString('hex'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'signature does not match';
}
