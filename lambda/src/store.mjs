// The entries in Redis: where a resource's entry lives (namespace, key schema, namespace
// version), reading it in one round trip, writing one, and purging them. What may be stored, and how
// long it stays fresh, is policy.mjs's; how keys are laid out, key.mjs's.
import { decodeEntry, encodeEntry } from './entry.mjs';
import { globEscape, keyPrefix, storedKey, VARIANT_MARK, versionKey } from './key.mjs';

/** Entries already decoded, by the bytes they came from: the instance copy hands back the
 *  same Buffer on every hit, so its header is parsed (and its body unpacked) once. */
const decodedEntries = new WeakMap();

function decoded(bytes) {
  let entry = decodedEntries.get(bytes);
  if (entry === undefined) {
    entry = decodeEntry(bytes);
    decodedEntries.set(bytes, entry);
  }
  return entry;
}

export class EntryStore {
  /** The namespace version last read: entries live under it until a purge of everything. */
  #knownVersion = '0';

  constructor(redis, namespace) {
    this.redis = redis;
    this.namespace = namespace;
    this.versionKey = versionKey(namespace);
    this.backoffKey = `${keyPrefix(namespace)}backoff`;
  }

  /** When the upstream asked every instance to wait until (ms; 0: it did not). Read once
   *  per miss, from the instance's copy where it tracks the key. */
  async backoffUntil() {
    const { values: [v] } = await this.redis.getMany([this.backoffKey]);
    const until = v ? Number(v.toString()) : 0;
    return Number.isFinite(until) ? until : 0;
  }

  /** Records the upstream's Retry-After for the whole fleet; it lapses by itself. */
  async backOffUntil(until) {
    const ms = Math.max(1, Math.ceil(until - Date.now()));
    await this.redis.command(['SET', this.backoffKey, String(until), 'PX', String(ms)]);
  }

  /** What a lookup reads: the namespace version, and the entry under the version last seen. */
  lookupKeys(resource) {
    return [this.versionKey, storedKey(this.namespace, this.#knownVersion, resource)];
  }

  /**
   * The stored entry of a resource, fresh or not (null: none, or bytes that are not an
   * entry), and `key`, where its answer is to be stored. One round trip (or none, from the
   * instance's copy); only after a purge of everything does the version differ, and a
   * second GET follows.
   */
  async lookup(resource) {
    let { values: [v, stored], fromLocal } = await this.redis.getMany(this.lookupKeys(resource));
    const version = v ? v.toString() : '0';
    if (version !== this.#knownVersion) {
      this.#knownVersion = version;
      ({ values: [stored], fromLocal } = await this.redis.getMany([storedKey(this.namespace, version, resource)]));
    }
    return { entry: stored ? decoded(stored) : null, fromLocal, key: storedKey(this.namespace, version, resource) };
  }

  /** Writes an entry, kept `retention` seconds (null: until evicted or purged). */
  async put(key, entry, retention) {
    const args = ['SET', key, encodeEntry(entry)];
    if (retention !== null) args.push('EX', retention);
    await this.redis.command(args);
  }

  /** Everything at once: one INCR of the namespace version (O(1)); entries under the old
   *  one are never read again and expire. The new version. */
  purgeAll() {
    return this.redis.incr(this.versionKey);
  }

  /** A resource's entry under the current version or, with `variants`, each of its header
   *  variants (SCAN: their keys carry a hash of the values). How many went. */
  async purgeResource(resource, { variants = false, batch = 500 } = {}) {
    const exact = storedKey(this.namespace, await this.#currentVersion(), resource);
    if (!variants) return Number(await this.redis.unlink([exact]));
    return this.#unlinkMatching(`${globEscape(exact + VARIANT_MARK)}*`, batch, () => true);
  }

  /** A path's entries and every one under it (SCAN + UNLINK in batches, never KEYS). */
  async purgeUnder(pathResource, { batch = 500 } = {}) {
    const exact = storedKey(this.namespace, await this.#currentVersion(), pathResource);
    const under = exact.endsWith('/') ? exact : `${exact}/`;
    // The glob also matches /people-list for /people: keep only the path itself and what is under it.
    const mine = (k) => k === exact || k.startsWith(`${exact}?`) || k.startsWith(`${exact}${VARIANT_MARK}`) || k.startsWith(under);
    return this.#unlinkMatching(`${globEscape(exact)}*`, batch, mine);
  }

  async #currentVersion() {
    return (await this.redis.command(['GET', this.versionKey]))?.toString() ?? '0';
  }

  async #unlinkMatching(pattern, batch, keep) {
    let removed = 0;
    for await (const keys of this.redis.scan(pattern, batch)) {
      const mine = keys.filter(keep);
      if (mine.length) removed += Number(await this.redis.unlink(mine));
    }
    return removed;
  }
}
