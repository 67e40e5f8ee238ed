// Invalidation: DELETE on a path purges its entry (same key normalization as GET), every
// entry under it with `x-cachedemo-purge: prefix` (SCAN + UNLINK in batches, never KEYS),
// or the whole namespace with `x-cachedemo-purge: all` (one INCR of the namespace version:
// O(1)). The mode is said in a header only: a path or query is always the upstream's own
// (DELETE /search?all=true purges that one entry), so no upstream URL can widen a purge.
// The client decides how: one node (EVAL, one SCAN) or a cluster (per slot, every primary,
// confirmed on a replica).
import { globEscape, keyPrefix, resourceKey, storedKey, VARIANT_MARK, versionKey } from './key.mjs';

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
 * Returns { removed, version? }: how many entries went (or the new namespace version).
 * `settings` are the handler's: its namespace, and the ignored query parameters and
 * forwarded headers that shape its keys (a path's purge takes every header variant).
 */
export async function purge(redis, { namespace, ignoreQueryParams = [], forwardHeaders = [] }, event, { batch = 500 } = {}) {
  const mode = purgeMode(event);
  if (mode === null) throw new PurgeModeError(event.headers[PURGE_HEADER]);
  if (mode === 'all') {
    const version = await redis.bumpVersion(versionKey(namespace));
    return { mode, removed: null, version };
  }
  if (mode === 'key') {
    const resource = resourceKey({ method: 'GET', path: event.rawPath, query: event.rawQueryString, ignored: ignoreQueryParams });
    if (forwardHeaders.length === 0) {
      const removed = await redis.unlinkVersioned(versionKey(namespace), keyPrefix(namespace), `:${resource}`);
      return { mode, removed: Number(removed) };
    }
    const exact = storedKey(namespace, await currentVersion(redis, namespace), resource);
    return { mode, removed: await unlinkMatching(redis, `${globEscape(exact + VARIANT_MARK)}*`, batch, () => true) };
  }
  const exact = storedKey(namespace, await currentVersion(redis, namespace), resourceKey({ method: 'GET', path: event.rawPath, query: '' }));
  const under = exact.endsWith('/') ? exact : `${exact}/`;
  // The glob also matches /people-list for /people: keep only the path itself and what is under it.
  const mine = (k) => k === exact || k.startsWith(`${exact}?`) || k.startsWith(`${exact}${VARIANT_MARK}`) || k.startsWith(under);
  return { mode, removed: await unlinkMatching(redis, `${globEscape(exact)}*`, batch, mine) };
}

async function currentVersion(redis, namespace) {
  return (await redis.command(['GET', versionKey(namespace)]))?.toString() ?? '0';
}

/** SCAN + UNLINK in batches of the keys a glob finds that `keep` accepts. */
async function unlinkMatching(redis, pattern, batch, keep) {
  let removed = 0;
  for await (const keys of redis.scan(pattern, batch)) {
    const mine = keys.filter(keep);
    if (mine.length) removed += Number(await redis.unlink(mine));
  }
  return removed;
}

/** A purge header naming no mode: the caller's mistake (400), not the cache's. */
export class PurgeModeError extends Error {
  constructor(value) {
    super(`${PURGE_HEADER} must be one of ${PURGE_MODES.join(', ')} (got ${JSON.stringify(String(value).slice(0, 40))})`);
    this.name = 'PurgeModeError';
  }
}
