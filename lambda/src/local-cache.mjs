// The instance's own copy of the keys it has read, bounded in bytes, least recently used
// out first. Redis keeps it honest: with tracking on, the server pushes an invalidation
// whenever one of these keys changes, expires or is evicted, and the copy drops it.

/** What an entry costs besides its key and value bytes (the Map slot, the record). */
const ENTRY_OVERHEAD = 64;

/** A parsed reply is a view into a socket read that may be far larger: keep just its bytes. */
function ownCopy(bytes) {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

export class LocalCache {
  #entries = new Map();
  #bytes = 0;

  constructor(maxBytes) {
    this.maxBytes = maxBytes;
  }

  get bytes() { return this.#bytes; }
  get size() { return this.#entries.size; }

  /** The value (a Buffer, or null for a key Redis did not have); undefined when not held. */
  get(key) {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: moving the entry to the end makes the first one the least recent.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key, value) {
    this.delete(key);
    const cost = key.length + (value ? value.length : 0) + ENTRY_OVERHEAD;
    if (cost > this.maxBytes) return;
    this.#entries.set(key, { value: value && ownCopy(value), cost });
    this.#bytes += cost;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.cost;
    }
  }

  delete(key) {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.cost;
  }

  clear() {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
