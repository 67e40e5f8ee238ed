// The entries in Redis: where a resource's entry lives (namespace, key schema, namespace
// version), reading it in one round trip, and writing one. What may be stored, and how
// long it stays fresh, is policy.mjs's; how keys are laid out, key.mjs's.
import { decodeEntry, encodeEntry } from './entry.mjs';
import { storedKey, versionKey } from './key.mjs';

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
}
