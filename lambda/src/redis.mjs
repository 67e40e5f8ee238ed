// A small Redis client: one socket (TCP or TLS), AUTH, pipelined commands with a
// timeout each, server errors as RedisError, and RESP3 tracking for an instance copy of
// the keys read (server-assisted client-side caching). Only what the handler needs.
import net from 'node:net';
import { LocalCache } from './local-cache.mjs';

// node:tls is loaded by the first rediss:// connection, not imported: it is the heaviest
// module here, and a plain redis:// server never needs it. Loaded synchronously, so the
// connection a cold start opens is on its way before the module has finished loading.

/** What a reason may carry into a log line or a response header: one line of printable
 *  ASCII, at most 200 characters. */
function oneLine(text) {
  return String(text).replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
}

export class RedisError extends Error {}

const CRLF = Buffer.from('\r\n');

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const b = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

/** A RESP3 push: a message the server sends on its own (an invalidation), not a reply. */
export class PushMessage {
  constructor(items) { this.items = items; }
}

/** Incremental RESP2/RESP3 reply parser: feed it bytes, it returns whole replies. */
export class ReplyParser {
  constructor() { this.buf = Buffer.alloc(0); }

  feed(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const replies = [];
    for (;;) {
      const r = this.#parse(0);
      if (!r) break;
      replies.push(r.value);
      this.buf = this.buf.subarray(r.end);
    }
    return replies;
  }

  #parse(pos) {
    const eol = this.buf.indexOf(CRLF, pos);
    if (eol < 0) return null;
    const type = this.buf[pos];
    const line = this.buf.toString('utf8', pos + 1, eol);
    const end = eol + 2;
    switch (type) {
      case 0x2b: return { value: line, end }; // + simple string
      case 0x2d: return { value: new RedisError(line), end }; // - error
      case 0x3a: return { value: Number(line), end }; // : integer
      case 0x5f: return { value: null, end }; // _ null (RESP3)
      case 0x23: return { value: line === 't', end }; // # boolean (RESP3)
      case 0x2c: return { value: Number(line.replace(/^(-?)inf$/, '$1Infinity')), end }; // , double (RESP3)
      case 0x28: return { value: BigInt(line), end }; // ( big number (RESP3)
      case 0x24: // $ bulk string
      case 0x21: // ! bulk error (RESP3)
      case 0x3d: { // = verbatim string (RESP3): a 3-letter format and a colon, then the text
        const len = Number(line);
        if (len < 0) return { value: null, end };
        if (this.buf.length < end + len + 2) return null;
        const bytes = this.buf.subarray(end, end + len);
        const value = type === 0x24 ? bytes : type === 0x21 ? new RedisError(bytes.toString()) : bytes.toString('utf8', 4);
        return { value, end: end + len + 2 };
      }
      case 0x2a: // * array
      case 0x7e: // ~ set (RESP3)
      case 0x3e: // > push (RESP3)
      case 0x25: // % map (RESP3): key, value, key, value...
      case 0x7c: { // | attributes (RESP3): a map about the reply that follows it
        const n = Number(line);
        if (n < 0) return { value: null, end };
        const items = [];
        let at = end;
        for (let i = 0; i < (type === 0x25 || type === 0x7c ? 2 * n : n); i++) {
          const item = this.#parse(at);
          if (!item) return null;
          items.push(item.value);
          at = item.end;
        }
        if (type === 0x7c) return this.#parse(at);
        if (type === 0x3e) return { value: new PushMessage(items), end: at };
        if (type === 0x25) {
          const map = new Map();
          for (let i = 0; i < items.length; i += 2) map.set(String(items[i]), items[i + 1]);
          return { value: map, end: at };
        }
        return { value: items, end: at };
      }
      default:
        throw new RedisError(`unexpected reply byte 0x${type.toString(16)}`);
    }
  }
}

/**
 * One connection. Commands are written as soon as they are issued (pipelining);
 * replies resolve them in order. A timeout or a socket error closes the connection
 * and fails everything pending, so replies can never be matched to the wrong command.
 * With `tracking`, the connection speaks RESP3 and asks the server to push invalidations
 * for the keys it reads (server-assisted client-side caching); `tracking` stays false
 * when the server cannot.
 */
export class RedisConnection {
  #socket; #parser = new ReplyParser(); #pending = []; #closed = false;
  /** Called with the keys (Buffers) the server invalidated, or null for all of them. */
  onInvalidate = null;
  /** Called once, when the connection closes for any reason. */
  onClose = null;
  tracking = false;
  /** Why a connection asked to track does not: the command the server refused, and its error. */
  trackingRefused = null;

  static async connect(url, { token, username, ca, servername, connectTimeoutMs = 1000, commandTimeoutMs = 500, tracking = false } = {}) {
    const u = new URL(url);
    const useTLS = u.protocol === 'rediss:';
    const tls = useTLS ? process.getBuiltinModule('node:tls') : null;
    const port = Number(u.port || 6379);
    const host = u.hostname;
    return new Promise((resolve, reject) => {
      const opts = { host, port, noDelay: true };
      const socket = useTLS
        ? tls.connect({ ...opts, servername: servername ?? (net.isIP(host) ? undefined : host), ca })
        : net.connect(opts);
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RedisError(`connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      const fail = (err) => { clearTimeout(timer); socket.destroy(); reject(err); };
      socket.once('error', fail);
      socket.once(useTLS ? 'secureConnect' : 'connect', async () => {
        clearTimeout(timer);
        socket.off('error', fail);
        const conn = new RedisConnection(socket, commandTimeoutMs);
        try {
          // A function makes a fresh password per connection (an IAM auth token).
          await conn.#handshake({ token: typeof token === 'function' ? token() : token, username, tracking });
          resolve(conn);
        } catch (err) {
          conn.close();
          reject(err);
        }
      });
    });
  }

  /**
   * AUTH the way every server since 2.x takes it; then, for tracking, HELLO 3 and CLIENT
   * TRACKING ON, all in one round trip. A server or user that cannot switch to RESP3 or
   * track (ElastiCache may refuse CLIENT TRACKING) keeps the connection without tracking,
   * and `trackingRefused` says why; a wrong token, a timeout or a lost connection throws.
   */
  async #handshake({ token, username, tracking }) {
    const commands = [];
    if (token) commands.push(username ? ['AUTH', username, token] : ['AUTH', token]);
    if (tracking) commands.push(['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON']);
    if (!commands.length) return;
    const replies = await Promise.allSettled(this.pipeline(commands));
    if (token && replies[0].status === 'rejected') throw replies[0].reason;
    const failed = replies.findIndex((r) => r.status === 'rejected');
    // A refusal is a reply; a timeout or a closed socket leaves no connection to keep.
    if (failed >= 0 && this.#closed) throw replies[failed].reason;
    this.tracking = tracking && failed < 0;
    if (tracking && failed >= 0) {
      const refused = commands[failed][0] === 'HELLO' ? 'HELLO 3' : 'CLIENT TRACKING';
      this.trackingRefused = oneLine(`${refused} refused: ${replies[failed].reason.message}`);
    }
  }

  constructor(socket, commandTimeoutMs) {
    this.#socket = socket;
    this.commandTimeoutMs = commandTimeoutMs;
    this.commandsSent = 0;
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new RedisError('connection closed')));
  }

  get closed() { return this.#closed; }

  command(args, timeoutMs) {
    return this.pipeline([args], undefined, timeoutMs)[0];
  }

  /**
   * Several commands in one write; one promise each, resolved in order. `observe(reply, i)`
   * sees each reply the moment it is parsed, before any invalidation that follows it.
   */
  pipeline(commands, observe, timeoutMs = this.commandTimeoutMs) {
    if (this.#closed) return commands.map(() => Promise.reject(new RedisError('connection closed')));
    const promises = commands.map((args, index) => new Promise((resolve, reject) => {
      const entry = { resolve, reject, timer: null, observe, index };
      entry.timer = setTimeout(() => {
        this.#fail(new RedisError(`${args[0]} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.push(entry);
      this.commandsSent++;
    }));
    this.#socket.write(commands.length === 1 ? encodeCommand(commands[0]) : Buffer.concat(commands.map(encodeCommand)));
    return promises;
  }

  close() {
    this.#fail(new RedisError('connection closed'));
  }

  #onData(chunk) {
    let replies;
    try {
      replies = this.#parser.feed(chunk);
    } catch (err) {
      this.#fail(err);
      return;
    }
    for (const reply of replies) {
      if (reply instanceof PushMessage) {
        if (String(reply.items[0]) === 'invalidate') this.onInvalidate?.(reply.items[1]);
        continue;
      }
      const entry = this.#pending.shift();
      if (!entry) continue;
      clearTimeout(entry.timer);
      if (reply instanceof RedisError) {
        entry.reject(reply);
      } else {
        entry.observe?.(reply, entry.index);
        entry.resolve(reply);
      }
    }
  }

  #fail(err) {
    if (!this.#closed) {
      this.#closed = true;
      this.#socket.destroy();
      this.onClose?.();
    }
    for (const entry of this.#pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
  }
}

/** Reads the namespace version and unlinks the versioned key, on the server, at once. */
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
