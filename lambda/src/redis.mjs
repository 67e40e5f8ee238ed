// A small RESP2 client: one socket (TCP or TLS), AUTH, pipelined commands with a
// timeout each, server errors as RedisError. Only what the handler needs.
import net from 'node:net';

// node:tls is loaded on the first rediss:// connection, not at module load: it is the
// heaviest import here, and cold starts pay for every import.
let tlsModule;

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

/** Incremental RESP reply parser: feed it bytes, it returns whole replies. */
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
    switch (type) {
      case 0x2b: return { value: line, end: eol + 2 }; // +
      case 0x2d: return { value: new RedisError(line), end: eol + 2 }; // -
      case 0x3a: return { value: Number(line), end: eol + 2 }; // :
      case 0x24: { // $
        const len = Number(line);
        if (len < 0) return { value: null, end: eol + 2 };
        const start = eol + 2;
        if (this.buf.length < start + len + 2) return null;
        return { value: this.buf.subarray(start, start + len), end: start + len + 2 };
      }
      case 0x2a: { // *
        const n = Number(line);
        if (n < 0) return { value: null, end: eol + 2 };
        const items = [];
        let at = eol + 2;
        for (let i = 0; i < n; i++) {
          const item = this.#parse(at);
          if (!item) return null;
          items.push(item.value);
          at = item.end;
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
 */
export class RedisConnection {
  #socket; #parser = new ReplyParser(); #pending = []; #closed = false;

  static async connect(url, { token, username, ca, connectTimeoutMs = 1000, commandTimeoutMs = 500 } = {}) {
    const u = new URL(url);
    const useTLS = u.protocol === 'rediss:';
    const tls = useTLS ? (tlsModule ??= await import('node:tls')) : null;
    const port = Number(u.port || 6379);
    const host = u.hostname;
    return new Promise((resolve, reject) => {
      const opts = { host, port, noDelay: true };
      const socket = useTLS
        ? tls.connect({ ...opts, servername: net.isIP(host) ? undefined : host, ca })
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
          if (token) await conn.command(username ? ['AUTH', username, token] : ['AUTH', token]);
          resolve(conn);
        } catch (err) {
          conn.close();
          reject(err);
        }
      });
    });
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

  command(args) {
    return this.pipeline([args])[0];
  }

  /** Several commands in one write; one promise each, resolved in order. */
  pipeline(commands) {
    if (this.#closed) return commands.map(() => Promise.reject(new RedisError('connection closed')));
    const promises = commands.map((args) => new Promise((resolve, reject) => {
      const entry = { resolve, reject, timer: null };
      entry.timer = setTimeout(() => {
        this.#fail(new RedisError(`${args[0]} timed out after ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
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
      const entry = this.#pending.shift();
      if (!entry) continue;
      clearTimeout(entry.timer);
      if (reply instanceof RedisError) entry.reject(reply); else entry.resolve(reply);
    }
  }

  #fail(err) {
    if (!this.#closed) {
      this.#closed = true;
      this.#socket.destroy();
    }
    for (const entry of this.#pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
  }
}

/**
 * The connection a Lambda instance keeps: opened lazily, reused across invocations,
 * reopened after a failure with exponential backoff. While backing off, commands fail
 * at once instead of waiting, so the handler can serve from the upstream without delay.
 */
export class RedisClient {
  #conn = null; #connecting = null; #failures = 0; #retryAt = 0;

  constructor(url, options = {}) {
    this.url = url;
    this.options = options;
    this.backoffBaseMs = options.backoffBaseMs ?? 100;
    this.backoffMaxMs = options.backoffMaxMs ?? 5000;
    this.connects = 0;
  }

  async command(args) {
    const conn = await this.#connection();
    return conn.command(args);
  }

  /** Commands sent together and answered in one round trip. */
  async pipeline(commands) {
    const conn = await this.#connection();
    return Promise.all(conn.pipeline(commands));
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
      this.#noteFailure();
    }
    if (this.#connecting) return this.#connecting;
    if (Date.now() < this.#retryAt) throw new RedisError('redis unavailable; backing off');
    this.#connecting = RedisConnection.connect(this.url, this.options).then(
      (conn) => {
        this.#conn = conn;
        this.#failures = 0;
        this.connects++;
        return conn;
      },
      (err) => {
        this.#noteFailure();
        throw err;
      },
    ).finally(() => { this.#connecting = null; });
    return this.#connecting;
  }

  #noteFailure() {
    this.#failures++;
    const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (this.#failures - 1));
    this.#retryAt = Date.now() + delay;
  }
}
