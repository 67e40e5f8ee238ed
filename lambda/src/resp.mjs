// RESP, the Redis protocol: commands encoded as arrays of bulk strings, replies (RESP2
// and RESP3, pushes included) parsed incrementally from whatever bytes have arrived.

/** What a reason may carry into a log line or a response header: one line of printable
 *  ASCII, at most `max` characters. */
export function oneLine(text, max = 200) {
  return String(text).replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, max);
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
