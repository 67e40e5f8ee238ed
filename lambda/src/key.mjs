// The cache key: namespaced and versioned, from the method, the normalized path, the
// query parameters sorted (less the ignored ones), so `?a=1&b=2` and `?b=2&a=1` share one
// entry, and the values of the forwarded headers. Normalizing is for the key only: the
// upstream gets the request as it came (upstream.mjs).
import { createHash } from 'node:crypto';

/** v2: entries carry the upstream's headers and freshness (entry.mjs); a v1 entry is a miss. */
export const KEY_SCHEMA = 'v2';

/** Whether a query parameter's name matches one of the ignored names (`utm_*`: a prefix). */
export function ignoredParam(name, ignored) {
  return ignored.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** Separates a resource from its variant (the forwarded headers' values) in a key. */
export const VARIANT_MARK = '#';

/** A segment the URL parser (fetch's, so the upstream's) reads as `.` or `..`. */
function dotSegment(seg) {
  const s = seg.replace(/%2e/gi, '.');
  return s === '.' || s === '..' ? s : null;
}

/** Resolves `.` and `..` (`%2e` as the URL parser reads it), collapses repeated slashes,
 *  keeps a trailing slash. The key, the rules and the upstream all take this one path. */
export function normalizePath(rawPath) {
  const path = (rawPath || '/').replace(/\/{2,}/g, '/');
  const out = [];
  const segments = path.split('/').map((seg) => dotSegment(seg) ?? seg);
  for (const seg of segments.slice(1)) {
    if (seg === '.') continue;
    if (seg === '..') { out.pop(); continue; }
    out.push(seg);
  }
  const last = segments[segments.length - 1];
  if ((last === '.' || last === '..') && out[out.length - 1] !== '') out.push('');
  return '/' + out.join('/');
}

/** Sorts the query by key, then value; repeated keys keep all their values; ignored
 *  parameters (`--ignore-query-param`) are left out. */
export function normalizeQuery(rawQuery, ignored = []) {
  const params = [...new URLSearchParams(rawQuery || '')].filter(([k]) => !ignoredParam(k, ignored));
  params.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return new URLSearchParams(params).toString();
}

/** The resource part of a key: method, normalized path, sorted query. HEAD and DELETE
 *  (a purge) name GET's entry: same resource. */
export function resourceKey({ method, path, query, ignored = [] }) {
  const m = method === 'POST' || method === 'PUT' || method === 'PATCH' ? method : 'GET';
  const q = normalizeQuery(query, ignored);
  return `${m}:${normalizePath(path)}${q ? '?' + q : ''}`;
}

/**
 * A resource and the variant its forwarded headers make (`--forward-header`): one entry per
 * set of their values, none when nothing is forwarded. A hash: values may be long or secret.
 */
export function variantKey(resource, headers, forwarded) {
  if (forwarded.length === 0) return resource;
  const values = forwarded.map((name) => `${name}:${headers[name] ?? ''}`).join('\n');
  return `${resource}${VARIANT_MARK}${createHash('sha256').update(values).digest('hex').slice(0, 16)}`;
}

/** Where the namespace's version lives: bumping it drops every entry at once. */
export function versionKey(namespace) {
  return `${keyPrefix(namespace)}version`;
}

/** What every stored key of a namespace starts with, before its version. */
export function keyPrefix(namespace) {
  return `${namespace}:${KEY_SCHEMA}:`;
}

/** The stored key: `namespace:schema:version:resource`; version 0 until the first purge-all. */
export function storedKey(namespace, version, resource) {
  return `${keyPrefix(namespace)}${version}:${resource}`;
}

/** The stored key of a request. */
export function cacheKey({ namespace, version = '0', ...request }) {
  return storedKey(namespace, version, resourceKey(request));
}

/** Escapes what SCAN's MATCH treats as a pattern. */
export function globEscape(text) {
  return text.replace(/[*?[\]\\]/g, (c) => '\\' + c);
}

/** What logs show instead of the key: the key may carry user data. */
export function keyHash(key) {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
