// The connection a Lambda instance keeps (RedisClient): one server, reconnected with
// backoff, and the instance copy of the keys read (server-assisted client-side caching,
// RESP3 tracking). Only what the handler needs.
import { LocalCache } from './local-cache.mjs';
import { RedisConnection } from './connection.mjs';
import { RedisError } from './resp.mjs';

// The codec and the single connection have files of their own; importers of either keep
// finding them here.
export { RedisConnection } from './connection.mjs';
export { encodeCommand, PushMessage, RedisError, ReplyParser } from './resp.mjs';

/** Lets whatever the operating system already received run first: a Lambda sandbox thawed
 *  with an invalidation waiting in the socket applies it before a copy is trusted. */
export const pendingIO = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The connection a Lambda instance keeps: opened early (`open`) or on first use, reused
 * across invocations, reopened after a failure with exponential backoff. While backing
 * off, commands fail at once instead of waiting, so the handler can serve from the
 * upstream without delay. With `localCacheBytes`, GETs are answered from the instance's
 * copy while the server tracks the keys; the copy is dropped whole when the connection
 * (and so tracking) ends. `onConnect` is called after each connection opens.
 */
export class RedisClient {
  #conn = null; #connecting = null; #failures = 0; #retryAt = 0; #lastError = null;

  constructor(url, options = {}) {
    this.url = url;
    this.options = options;
    this.backoffBaseMs = options.backoffBaseMs ?? 100;
    this.backoffMaxMs = options.backoffMaxMs ?? 5000;
    this.local = options.localCacheBytes > 0 ? new LocalCache(options.localCacheBytes) : null;
    this.connects = 0;
  }

  /** Starts connecting now (a cold start); whoever does not wait for it need not. Resolves to
   *  whether it connected, never rejects; a failure counts as one on first use would. */
  open() {
    return this.#connection().then(() => true, () => false);
  }

  /** Whether commands go out at once, on an open connection, rather than wait for one. */
  get ready() {
    return this.#conn !== null && !this.#conn.closed;
  }

  /** The same for the keys a request reads (one connection serves every key here). */
  readyFor() {
    return this.ready;
  }

  /** Whether hits can come from the instance's copy and, when not, why (one line, no secrets). */
  get instanceCopy() {
    if (!this.local) return { on: false, reason: 'turned off (CACHE_LOCAL_MAX_BYTES=0)' };
    if (!this.ready) return { on: false, reason: 'no connection to the cache' };
    return this.#conn.tracking ? { on: true, reason: null } : { on: false, reason: this.#conn.trackingRefused };
  }

  /** One command; `timeoutMs` for one that waits on purpose (WAIT), longer than the rest. */
  async command(args, timeoutMs) {
    const conn = await this.#connection();
    return conn.command(args, timeoutMs);
  }

  /** Several commands in one write on this connection; their replies, in order. */
  async pipelineRaw(commands) {
    const conn = await this.#connection();
    return Promise.all(conn.pipeline(commands));
  }

  /** UNLINK of keys: a count. (One node: one command; see ClusterClient for slots.) */
  unlink(keys) {
    return this.command(['UNLINK', ...keys]);
  }

  /** SCAN to its end; yields batches of keys. */
  async *scan(pattern, count) {
    let cursor = '0';
    do {
      const [next, keys] = await this.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)]);
      cursor = next.toString();
      yield keys.map(String);
    } while (cursor !== '0');
  }

  /** INCR of a key: its new value. (One node: nothing to confirm; see ClusterClient.) */
  incr(key) {
    return this.command(['INCR', key]);
  }

  /**
   * GET of several keys: from the local copy when it holds every one of them, otherwise
   * in one round trip whose replies refresh the copy. `fromLocal` says which it was.
   */
  async getMany(keys) {
    if (this.#tracking()) {
      await pendingIO();
      const values = this.peekLocal(keys);
      if (values) return { values, fromLocal: true };
    }
    return { values: await this.fetchMany(keys), fromLocal: false };
  }

  /** The copy's values for every one of `keys`, or null (one missing, or no tracking now).
   *  Synchronous: the caller has let pending invalidations in first (pendingIO). */
  peekLocal(keys) {
    if (!this.#tracking()) return null;
    const values = keys.map((key) => this.local.get(key));
    return values.includes(undefined) ? null : values;
  }

  /** One key's copy, or undefined (missing, or no tracking now). */
  peekOne(key) {
    return this.#tracking() ? this.local.get(key) : undefined;
  }

  /** GETs in one round trip, their replies refreshing the copy when the connection tracks. */
  async fetchMany(keys) {
    const conn = await this.#connection();
    const observe = conn.tracking ? (reply, i) => this.local.set(keys[i], reply) : undefined;
    return Promise.all(conn.pipeline(keys.map((key) => ['GET', key]), observe));
  }

  /** Forgets the local copy, after this instance changed keys itself (a purge). */
  dropLocalCopy() {
    this.local?.clear();
  }

  /** Only a connection opened for the copy tracks, so this also says there is a copy. */
  #tracking() {
    return this.ready && this.#conn.tracking;
  }

  /** Commands sent on every connection so far, for tests that count round trips. */
  get commandsSent() { return (this.#conn?.commandsSent ?? 0) + (this.sentOnClosed ?? 0); }

  close() {
    this.#conn?.close();
    this.#conn = null;
  }

  async #connection() {
    if (this.#conn && !this.#conn.closed) return this.#conn;
    if (this.#conn) {
      this.sentOnClosed = (this.sentOnClosed ?? 0) + this.#conn.commandsSent;
      this.#conn = null;
      this.#noteFailure('connection closed');
    }
    if (this.#connecting) return this.#connecting;
    // The last failure's cause goes with it: a wrong token at start-up is still told as one.
    if (Date.now() < this.#retryAt) throw new RedisError(`redis unavailable; backing off after: ${this.#lastError}`);
    this.#connecting = RedisConnection.connect(this.url, { ...this.options, tracking: this.local !== null }).then(
      (conn) => {
        if (this.local) {
          // Invalidations sent while no connection tracks the keys cannot be known: the copy goes.
          conn.onClose = () => this.local.clear();
          conn.onInvalidate = (keys) => {
            if (keys === null) this.local.clear();
            else for (const key of keys) this.local.delete(key.toString());
          };
        }
        this.#keepAuthenticated(conn);
        this.#conn = conn;
        this.#failures = 0;
        this.connects++;
        this.options.onConnect?.(this);
        return conn;
      },
      (err) => {
        this.#noteFailure(err.message);
        throw err;
      },
    ).finally(() => { this.#connecting = null; });
    return this.#connecting;
  }

  /**
   * ElastiCache ends an IAM-authenticated connection after 12 hours: with a token function and
   * `reauthMs`, the connection sends AUTH with a fresh token before then. A refused one closes
   * it (the next request reconnects, and is a BYPASS until then).
   */
  #keepAuthenticated(conn) {
    const { token, username, reauthMs } = this.options;
    if (typeof token !== 'function' || !(reauthMs > 0)) return;
    const timer = setInterval(() => {
      if (conn.closed) return clearInterval(timer);
      conn.command(username ? ['AUTH', username, token()] : ['AUTH', token()]).then(() => { this.reauths = (this.reauths ?? 0) + 1; },
        () => conn.close());
    }, reauthMs);
    timer.unref();
    const previous = conn.onClose;
    conn.onClose = () => { clearInterval(timer); previous?.(); };
  }

  #noteFailure(cause) {
    this.#lastError = cause;
    this.#failures++;
    const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (this.#failures - 1));
    this.#retryAt = Date.now() + delay;
  }
}
