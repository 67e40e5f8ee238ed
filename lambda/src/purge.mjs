// Invalidation: DELETE on a path purges its entry (same key normalization as GET), every
// entry under it with `x-cachedemo-purge: prefix` (SCAN + UNLINK in batches, never KEYS),
// or the whole namespace with `x-cachedemo-purge: all` (one INCR of the namespace version:
// O(1)). The mode is said in a header only: a path or query is always the upstream's own
// (DELETE /search?all=true purges that one entry), so no upstream URL can widen a purge.
// The store does the work in Redis; the client decides how: one node, or a cluster (per
// slot, every primary, confirmed on a replica).
import { resourceKey } from './key.mjs';

export const PURGE_HEADER = 'x-cachedemo-purge';

export const PURGE_MODES = ['key', 'prefix', 'all'];

/** The purge mode the header names (none: the one key); null for a value it does not know,
 *  which is refused rather than read as a narrower or wider purge than was meant. */
export function purgeMode(event) {
  const header = (event.headers?.[PURGE_HEADER] ?? '').trim().toLowerCase();
  if (header === '') return 'key';
  return PURGE_MODES.includes(header) ? header : null;
}

/**
 * Returns { mode, removed, version? }: how many entries went (or the new namespace
 * version). `settings` are those of the path: the ignored query parameters and forwarded
 * headers that shape its keys (a path's purge takes every header variant). The work in
 * Redis is the store's.
 */
export async function purge(store, { ignoreQueryParams = [], forwardHeaders = [] }, event, { batch = 500 } = {}) {
  const mode = purgeMode(event);
  if (mode === null) throw new PurgeModeError(event.headers[PURGE_HEADER]);
  if (mode === 'all') return { mode, removed: null, version: await store.purgeAll() };
  if (mode === 'key') {
    const resource = resourceKey({ method: 'GET', path: event.rawPath, query: event.rawQueryString, ignored: ignoreQueryParams });
    return { mode, removed: await store.purgeResource(resource, { variants: forwardHeaders.length > 0, batch }) };
  }
  return { mode, removed: await store.purgeUnder(resourceKey({ method: 'GET', path: event.rawPath, query: '' }), { batch }) };
}

/** A purge header naming no mode: the caller's mistake (400), not the cache's. */
export class PurgeModeError extends Error {
  constructor(value) {
    super(`${PURGE_HEADER} must be one of ${PURGE_MODES.join(', ')} (got ${JSON.stringify(String(value).slice(0, 40))})`);
    this.name = 'PurgeModeError';
  }
}
