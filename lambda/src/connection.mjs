// One connection to a Redis server: TCP or TLS, AUTH (a token, or a user and password),
// RESP3 with tracking where the server allows it, pipelined commands with a timeout each.
import net from 'node:net';
import { encodeCommand, oneLine, PushMessage, RedisError, ReplyParser } from './resp.mjs';

// node:tls is loaded by the first rediss:// connection, not imported: it is the heaviest
// module here, and a plain redis:// server never needs it. Loaded synchronously, so the
// connection a cold start opens is on its way before the module has finished loading.

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
