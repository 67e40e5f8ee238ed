// Invalidation: DELETE on a path purges its entry (same key normalization as GET), every
// entry under it with `x-cachedemo-purge: prefix` (SCAN + UNLINK in batches, never KEYS),
// or the whole namespace with `?all=true` (one INCR of the namespace version: O(1)).
// The client decides how: one node (EVAL, one SCAN) or a cluster (per slot, every primary,
// confirmed on a replica).
import { globEscape, keyPrefix, resourceKey, storedKey, versionKey } from './key.mjs';

export const PURGE_HEADER = 'x-cachedemo-purge';

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
    const version = await redis.bumpVersion(versionKey(namespace));
    return { mode, removed: null, version };
  }
  if (mode === 'key') {
    const resource = resourceKey({ method: 'GET', path: event.rawPath, query: event.rawQueryString });
    const removed = await redis.unlinkVersioned(versionKey(namespace), keyPrefix(namespace), `:${resource}`);
    return { mode, removed: Number(removed) };
  }
  const version = (await redis.command(['GET', versionKey(namespace)]))?.toString() ?? '0';
  const exact = storedKey(namespace, version, resourceKey({ method: 'GET', path: event.rawPath, query: '' }));
  const under = exact.endsWith('/') ? exact : `${exact}/`;
  let removed = 0;
  for await (const keys of redis.scan(`${globEscape(exact)}*`, batch)) {
    // The glob also matches /people-list for /people: keep only the path itself and what is under it.
    const mine = keys.filter((k) => k === exact || k.startsWith(`${exact}?`) || k.startsWith(under));
    if (mine.length) removed += Number(await redis.unlink(mine));
  }
  return { mode, removed };
}
