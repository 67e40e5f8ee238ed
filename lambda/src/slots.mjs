// The cluster's key space, as the Redis Cluster specification defines it: 16384 slots,
// a key's slot from CRC16 of the key (or its {hash tag}), the slot map read from CLUSTER
// SHARDS or CLUSTER SLOTS, and MOVED/ASK redirections.

export const SLOTS = 16384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC16-CCITT (XMODEM), the cluster's key hash. */
export function crc16(bytes) {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/** The key's slot: CRC16 of the key, or of its `{hash tag}` when it has a non-empty one. */
export function slotOf(key) {
  const bytes = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % SLOTS;
  }
  return crc16(bytes) % SLOTS;
}

/** `MOVED 3999 127.0.0.1:6381` or `ASK ...` as { kind, slot, address }; null for other errors. */
export function redirection(err, fromHost = '127.0.0.1') {
  const m = /^(MOVED|ASK) (\d+) (\S*):(\d+)$/.exec(err?.message ?? '');
  // An empty host ("MOVED 3999 :6380") means the host the command went to.
  return m ? { kind: m[1], slot: Number(m[2]), address: `${m[3] && m[3] !== '?' ? m[3] : fromHost}:${m[4]}` } : null;
}

/** The primaries' slot ranges from a CLUSTER SHARDS reply (RESP2 arrays or RESP3 maps). A
 *  node that does not know its own address yet (a lone node) leaves it empty, and one whose
 *  clients' port is not its cluster's reports none: the address it was asked at. */
export function parseShards(reply, askedHost = '127.0.0.1', askedPort = 6379) {
  const field = (obj, name) => {
    if (obj instanceof Map) return obj.get(name);
    for (let i = 0; i + 1 < obj.length; i += 2) if (String(obj[i]) === name) return obj[i + 1];
    return undefined;
  };
  const ranges = [];
  for (const shard of reply) {
    const slots = (field(shard, 'slots') ?? []).map(Number);
    const primary = (field(shard, 'nodes') ?? []).find((n) => String(field(n, 'role')) === 'master'
      && String(field(n, 'health') ?? 'online') === 'online');
    if (!primary) continue;
    const named = [field(primary, 'hostname'), field(primary, 'endpoint'), field(primary, 'ip')].map((v) => String(v ?? ''));
    const host = named.find((v) => v && v !== '?') ?? askedHost;
    const port = Number(field(primary, 'tls-port') || field(primary, 'port')) || askedPort;
    // Replicas that are not failed (WAIT can count only those; a fresh one with nothing
    // replicated yet reports "loading" on Redis 7.0).
    const replicas = (field(shard, 'nodes') ?? []).filter((n) => String(field(n, 'role')) !== 'master'
      && String(field(n, 'health') ?? 'online') !== 'failed').length;
    for (let i = 0; i + 1 < slots.length; i += 2) ranges.push({ from: slots[i], to: slots[i + 1], address: `${host}:${port}`, replicas });
  }
  return ranges;
}

/** The same from CLUSTER SLOTS: [from, to, [host, port, id], replica...]. */
export function parseSlots(reply, askedHost = '127.0.0.1', askedPort = 6379) {
  const host = (h) => (h && h !== '?' ? h : askedHost);
  return reply.map((r) => ({ from: Number(r[0]), to: Number(r[1]), address: `${host(String(r[2][0] ?? ''))}:${Number(r[2][1]) || askedPort}`,
    replicas: r.length - 3 }));
}
