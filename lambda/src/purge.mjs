// Invalidation: DELETE on a path purges its entry (same key normalization as GET), every
// entry under it with `x-cachedemo-purge: prefix` (SCAN + UNLINK in batches, never KEYS),
// or the whole namespace with `?all=true` (one INCR of the namespace version: O(1)).
import { globEscape, keyPrefix, resourceKey, storedKey, versionKey } from './key.mjs';

export const PURGE_HEADER = 'x-cachedemo-purge';

/** One round trip: read the namespace version and unlink the versioned key. */
const UNLINK_VERSIONED = `local v = redis.call('GET', KEYS[1]) or '0'
return redis.call('UNLINK', ARGV[1] .. v .. ARGV[2])`;

export function purgeMode(event) {
  const query = new URLSearchParams(event.rawQueryString || '');
  if (query.get('all') === 'true') return 'all';
  const header = (event.headers?.[PURGE_HEADER] || '').toLowerCase();
  return header === 'prefix' ? 'prefix' : 'key';
}

/** Returns { removed, version? }: how many entries went (or the new namespace version). */
export async function purge(redis, namespace, event, { batch = 500 } = {}) {
  const mode = purgeMode(event);
  if (mode === 'all') {
    const version = await redis.command(['INCR', versionKey(namespace)]);
    return { mode, removed: null, version };
  }
  if (mode === 'key') {
    const resource = resourceKey({ method: 'GET', path: event.rawPath, query: event.rawQueryString });
    const removed = await redis.command(['EVAL', UNLINK_VERSIONED, '1', versionKey(namespace), keyPrefix(namespace), `:${resource}`]);
    return { mode, removed };
  }
  const version = (await redis.command(['GET', versionKey(namespace)]))?.toString() ?? '0';
  const exact = storedKey(namespace, version, resourceKey({ method: 'GET', path: event.rawPath, query: '' }));
  const under = exact.endsWith('/') ? exact : `${exact}/`;
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.command(['SCAN', cursor, 'MATCH', `${globEscape(exact)}*`, 'COUNT', String(batch)]);
    cursor = next.toString();
    // The glob also matches /people-list for /people: keep only the path itself and what is under it.
    const mine = keys.map(String).filter((k) => k === exact || k.startsWith(`${exact}?`) || k.startsWith(under));
    if (mine.length) removed += await redis.command(['UNLINK', ...mine]);
  } while (cursor !== '0');
  return { mode, removed };
}
