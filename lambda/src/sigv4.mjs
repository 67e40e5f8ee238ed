// The pieces of AWS Signature Version 4 the function signs with (node:crypto, no SDK):
// the IAM auth token for the cache (a presigned URL) and the SSM call that reads an
// upstream secret (a signed POST) are both made of these.
import { createHash, createHmac } from 'node:crypto';

export const sha256 = (data) => createHash('sha256').update(data).digest('hex');
export const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 unreserved characters stay; everything else is percent-encoded. */
export function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** 20261201T150000Z */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The hex signature of a string to sign, with the key derived for the day, region and service. */
export function signature(secretAccessKey, date, region, service, stringToSign) {
  let key = hmac('AWS4' + secretAccessKey, date.slice(0, 8));
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/**
 * Signs a request in headers (Authorization): `headers` are all signed (host included,
 * which fetch then sends itself). Returns the headers to send.
 */
export function signedHeaders({ method, url, headers, body, region, service, credentials, now = new Date() }) {
  const date = amzDate(now);
  const all = { ...headers, host: url.host, 'x-amz-date': date };
  if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonical = [method, url.pathname || '/', '', names.map((n) => `${n}:${lower[n]}\n`).join(''), names.join(';'), sha256(body)].join('\n');
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const out = { ...lower };
  delete out.host;
  out.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, `
    + `Signature=${signature(credentials.secretAccessKey, date, region, service, toSign)}`;
  return out;
}
