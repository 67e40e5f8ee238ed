// Invalidation: DELETE on a path purges its entry (same key normalization as GET), every
// entry under it with `x-cachedemo-purge: prefix` (SCAN + UNLINK in batches, never KEYS),
// or the whole namespace with `x-cachedemo-purge: all` (one INCR of the namespace version:
// O(1)). The mode is said in a header only: a path or query is always the upstream's own
// (DELETE /search?all=true purges that one entry), so no upstream URL can widen a purge.
// The client decides how: one node (EVAL, one SCAN) or a cluster (per slot, every primary,
// confirmed on a replica).
import { globEscape, keyPrefix, resourceKey, storedKey, versionKey } from './key.mjs';

export const PURGE_HEADER = 'x-cachedemo-purge';

export const PURGE_MODES = ['key', 'prefix', 'all'];

/** The purge mode the header names (none: the one key); null for a value it does not know,
 *  which is refused rather than read as a narrower or wider purge than was meant. */
export function purgeMode(event) {
  const header = (event.headers?.[PURGE_HEADER] ?? '').trim().toLowerCase();
  if (header === '') return 'key';
  return PURGE_MODES.includes(header) ? header : null;
}

/** Returns { removed, version? }: how many entries went (or the new namespace version). */
export async function purge(redis, namespace, event, { batch = 500 } = {}) {
  const mode = purgeMode(event);
  if (mode === null) throw new PurgeModeError(event.headers[PURGE_HEADER]);
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

/** A purge header naming no mode: the caller's mistake (400), not the cache's. */
export class PurgeModeError extends Error {
  constructor(value) {
    super(`${PURGE_HEADER} must be one of ${PURGE_MODES.join(', ')} (got ${JSON.stringify(String(value).slice(0, 40))})`);
    this.name = 'PurgeModeError';
  }
}
