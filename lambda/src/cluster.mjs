// A cluster-aware client with the same face as RedisClient, for ElastiCache with cluster
// mode enabled (and Serverless, which speaks the cluster protocol behind one endpoint).
// It learns the slot map from the configuration endpoint (CLUSTER SHARDS, or CLUSTER SLOTS
// on older engines), sends each key to the primary that owns its slot through one lazy
// RedisClient per node (each tracking what was read through it, so a lost node drops only
// the copy of what it served), follows MOVED (and refreshes the map) and ASK (ASKING plus
// the one command). A node that is down, TRYAGAIN or CLUSTERDOWN fails the command: the
// handler serves from the upstream (BYPASS) while the map is refreshed with backoff.
import { pendingIO, RedisClient, RedisError } from './redis.mjs';
import { oneLine } from './resp.mjs';
import { parseShards, parseSlots, redirection, slotOf, SLOTS } from './slots.mjs';

export { crc16, parseShards, parseSlots, redirection, slotOf, SLOTS } from './slots.mjs';

export class ClusterClient {
  /** The slots' owners, and the primaries among them (kept with the map: a request must not
   *  walk 16,384 slots; a new map is a new array, so a loop over the old one is undisturbed). */
  #slots = new Array(SLOTS).fill(null); #primaryList = []; #replicas = new Map(); #nodes = new Map(); #writers = new Map();
  #seeds; #refreshing = null; #refreshFailures = 0; #refreshAfter = 0; #mappedAt = 0; #mapped = false; #discovery = 'none';
  #waitRefused = false; #slotOf = new Map();

  /** How long a map is trusted before a hit from the copies asks for a fresh one, in the
   *  background: a slot resharded away sends no invalidation for keys it never held. */
  static MAP_MAX_AGE_MS = 10_000;
  static SERVERLESS_NO_TRACKING = 'ElastiCache Serverless has no CLIENT TRACKING (REDIS_SERVERLESS=1): every hit is a round trip';
  /** WAIT's own limit on the server; a replica acknowledges on request or once a second. */
  static WAIT_MS = 1000;

  /**
   * `url` is the configuration endpoint (rediss://host:port); `options` are RedisClient's,
   * `localCacheBytes` shared out among the primaries.
   */
  constructor(url, options = {}) {
    const u = new URL(url);
    this.protocol = u.protocol;
    this.seedHost = u.hostname;
    this.#seeds = [`${u.hostname}:${u.port || 6379}`];
    // Serverless lists CLIENT TRACKING as unavailable: no HELLO 3 + CLIENT TRACKING is sent
    // (it would be refused and logged on every connection), so there is no instance copy.
    this.options = options.serverless ? { ...options, localCacheBytes: 0 } : options;
    this.backoffMaxMs = options.backoffMaxMs ?? 5000;
  }

  /** How the slot map was learnt: CLUSTER SHARDS, CLUSTER SLOTS, or one endpoint for all slots. */
  get discovery() { return this.#discovery; }

  /** Starts learning the map and opening the primaries' connections; never rejects. */
  open() {
    return this.#ensureMap().then(() => Promise.all(this.#primaryList.map((a) => this.#node(a).open())))
      .then((opened) => opened.every(Boolean), () => false);
  }

  get ready() {
    return this.#mapped && this.#primaryList.every((a) => this.#nodes.get(a)?.ready);
  }

  /** Whether the nodes owning `keys` have their connections open: a shard that is down
   *  must not send the other shards' hits to the upstream as well. */
  readyFor(keys) {
    return this.#mapped && keys.every((key) => this.#nodes.get(this.#owner(this.#slot(key)))?.ready);
  }

  /** slotOf, remembered for the keys a busy instance reads again and again (the namespace
   *  version on every request): a hit from the copies does no hashing. */
  #slot(key) {
    let slot = this.#slotOf.get(key);
    if (slot === undefined) {
      if (this.#slotOf.size >= 10_000) this.#slotOf.clear();
      slot = slotOf(key);
      this.#slotOf.set(key, slot);
    }
    return slot;
  }

  /** On only when every primary's connection tracks; otherwise the first reason it does not. */
  get instanceCopy() {
    if (this.options.serverless) return { on: false, reason: ClusterClient.SERVERLESS_NO_TRACKING };
    if (!(this.options.localCacheBytes > 0)) return { on: false, reason: 'turned off (CACHE_LOCAL_MAX_BYTES=0)' };
    if (!this.#mapped) return { on: false, reason: 'no connection to the cache' };
    for (const address of this.#primaryList) {
      const copy = this.#nodes.get(address)?.instanceCopy ?? { on: false, reason: 'no connection to the cache' };
      if (!copy.on) return copy;
    }
    return { on: true, reason: null };
  }

  get commandsSent() { return [...this.#nodes.values()].reduce((n, c) => n + c.commandsSent, 0); }
  get connects() { return [...this.#nodes.values()].reduce((n, c) => n + c.connects, 0); }

  /** One command whose first key is args[keyIndex] (1 for GET/SET/INCR/UNLINK, 3 for EVAL). */
  async command(args, keyIndex = args[0] === 'EVAL' || args[0] === 'EVALSHA' ? 3 : 1) {
    await this.#ensureMap();
    const slot = slotOf(args[keyIndex]);
    return this.#routed(slot, (node) => node.command(args), (node) => node.asking(args));
  }

  /** GETs of keys in any slots: one pipeline per primary, all in parallel (one round trip). */
  async getMany(keys) {
    if (!this.#mapped) await this.#ensureMap();
    if (Date.now() - this.#mappedAt > ClusterClient.MAP_MAX_AGE_MS) this.#refresh().catch(() => {});
    const owners = keys.map((key) => this.#owner(this.#slot(key)));
    // From the copies when every key's node holds it: one wait for pending invalidations,
    // then no round trip at all (each node tracks what was read through it).
    if (this.options.localCacheBytes > 0) {
      await pendingIO();
      const values = [];
      for (let i = 0; i < keys.length; i++) {
        const v = this.#nodes.get(owners[i])?.peekOne(keys[i]);
        if (v === undefined) break;
        values.push(v);
      }
      if (values.length === keys.length) return { values, fromLocal: true };
    }
    const byNode = new Map();
    owners.forEach((address, i) => {
      if (!byNode.has(address)) byNode.set(address, []);
      byNode.get(address).push(i);
    });
    const values = new Array(keys.length);
    await Promise.all([...byNode].map(async ([address, indexes]) => {
      const subset = indexes.map((i) => keys[i]);
      let got;
      try {
        got = await this.#node(address).fetchMany(subset);
      } catch (err) {
        // A moved slot: the map is stale. Each key again, where it lives now (once).
        if (!redirection(err, splitAddress(address)[0])) throw this.#noteDown(err);
        got = await Promise.all(subset.map((k) => this.command(['GET', k])));
      }
      got.forEach((v, j) => { values[indexes[j]] = v; });
    }));
    return { values, fromLocal: false };
  }

  /**
   * UNLINK of keys in any slots, grouped by slot (a cluster refuses CROSSSLOT), then confirmed
   * on a replica of each shard: a purge the primary took but no replica has could be undone
   * by a failover. The writes and their WAIT go on a connection of their own per node (WAIT
   * blocks the connection it is sent on, and covers every earlier write on it).
   */
  async unlink(keys) {
    await this.#ensureMap();
    const bySlot = new Map();
    for (const key of keys) {
      const slot = slotOf(key);
      if (!bySlot.has(slot)) bySlot.set(slot, []);
      bySlot.get(slot).push(key);
    }
    const written = new Set();
    const counts = await Promise.all([...bySlot].map(async ([slot, group]) => {
      const { result, address } = await this.#write(slot, ['UNLINK', ...group]);
      written.add(address);
      return Number(result);
    }));
    await Promise.all([...written].map((address) => this.#confirm(address)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** INCR of a key, confirmed on a replica (a purge of everything must survive a failover). */
  async incr(key) {
    await this.#ensureMap();
    const { result, address } = await this.#write(slotOf(key), ['INCR', key]);
    await this.#confirm(address);
    return result;
  }

  /** SCAN of every primary, each to its end; yields batches of keys. */
  async *scan(pattern, count) {
    await this.#ensureMap();
    for (const address of this.#primaryList) {
      const node = this.#node(address);
      let cursor = '0';
      do {
        const [next, keys] = await node.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)]).catch((err) => {
          throw this.#noteDown(err);
        });
        cursor = next.toString();
        yield keys.map(String);
      } while (cursor !== '0');
    }
  }

  /** A write on the slot owner's write connection (MOVED followed once): its reply and node. */
  async #write(slot, args) {
    const address = this.#owner(slot);
    try {
      return { result: await this.#writer(address).command(args), address };
    } catch (err) {
      const moved = redirection(err, splitAddress(address)[0]);
      if (!moved || moved.kind !== 'MOVED') throw this.#noteDown(err);
      this.#refresh().catch(() => {});
      return { result: await this.#writer(moved.address).command(args), address: moved.address };
    }
  }

  /** Waits until a replica of the node has its writes; throws when none does in time. A shard
   *  without a live replica has nothing to wait for, nor has serverless (it refuses WAIT and
   *  replicates across zones itself). */
  async #confirm(address) {
    if (this.options.serverless || this.#waitRefused || !(this.#replicas.get(address) > 0)) return;
    let acknowledged;
    try {
      acknowledged = Number(await this.#writer(address).command(['WAIT', '1', String(ClusterClient.WAIT_MS)]));
    } catch (err) {
      if (err instanceof RedisError && /unknown command|NOPERM|not allowed|disabled/i.test(err.message)) {
        this.#waitRefused = true;
        return;
      }
      throw err;
    }
    if (acknowledged < 1) throw new RedisError('the purge reached the primary but no replica yet; purge again');
  }

  /** The node's connection for purges: no tracking, a timeout that outlasts WAIT's own. */
  #writer(address) {
    let writer = this.#writers.get(address);
    if (!writer) {
      writer = new RedisClient(this.#node(address).url, { ...this.#node(address).options, localCacheBytes: 0, onConnect: undefined,
        commandTimeoutMs: ClusterClient.WAIT_MS + 500 });
      this.#writers.set(address, writer);
    }
    return writer;
  }

  dropLocalCopy() {
    for (const node of this.#nodes.values()) node.dropLocalCopy();
  }

  close() {
    for (const node of [...this.#nodes.values(), ...this.#writers.values()]) node.close();
    this.#nodes.clear();
    this.#writers.clear();
  }

  /** Runs `send` on the slot's owner; MOVED: updates the slot, refreshes the map, once more;
   *  ASK: `ask` on the named node once. Other failures mark the map for a refresh. */
  async #routed(slot, send, ask) {
    try {
      return await send(this.#node(this.#owner(slot)));
    } catch (err) {
      const moved = redirection(err, splitAddress(this.#owner(slot))[0]);
      if (!moved) throw this.#noteDown(err);
      if (moved.kind === 'ASK') return ask(this.#node(moved.address));
      const slots = [...this.#slots];
      slots[moved.slot] = moved.address;
      this.#setSlots(slots);
      this.#refresh().catch(() => {});
      return send(this.#node(moved.address));
    }
  }

  /** A node that cannot be reached, a failing shard (CLUSTERDOWN, TRYAGAIN): the map may
   *  have changed under us (a failover); refresh it, with backoff. */
  #noteDown(err) {
    if (unreachable(err) || /^(CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN)/.test(err.message)) {
      this.#refresh().catch(() => {});
    }
    return err;
  }

  #owner(slot) {
    return this.#slots[slot] ?? this.#seeds[0];
  }

  /** A new map. A node that lost slots drops its copy: the keys it tracked may live
   *  elsewhere now, where their changes reach no invalidation of ours. */
  #setSlots(slots) {
    for (const [address, node] of this.#nodes) {
      if (this.#slots.some((owner, slot) => owner === address && slots[slot] !== address)) node.dropLocalCopy();
    }
    this.#slots = slots;
    this.#primaryList = [...new Set(slots.filter(Boolean))];
  }

  #node(address) {
    let node = this.#nodes.get(address);
    if (!node) {
      const [host, port] = splitAddress(address);
      const primaries = Math.max(1, this.#primaryList.length);
      node = new ClusterNode(`${this.protocol}//${host.includes(':') ? `[${host}]` : host}:${port}`, {
        ...this.options,
        localCacheBytes: Math.floor((this.options.localCacheBytes ?? 0) / primaries),
        // Certificates name the endpoints; a node given by address is checked against the seed's name.
        servername: this.options.servername ?? (isAddress(host) && !isAddress(this.seedHost) ? this.seedHost : undefined),
      });
      this.#nodes.set(address, node);
    }
    return node;
  }

  async #ensureMap() {
    if (!this.#mapped) await this.#refresh(true);
  }

  /** Learns the map (single-flight), from the seed and then any node known. */
  #refresh(force = false) {
    if (this.#refreshing) return this.#refreshing;
    if (!force && Date.now() < this.#refreshAfter) return Promise.resolve();
    this.#refreshing = this.#discover().then((changed) => {
      this.#mapped = true;
      this.#mappedAt = Date.now();
      // Asked again and nothing changed (a failover still under way): back off all the same,
      // or every instance would ask every 100 ms.
      this.#refreshFailures = changed ? 0 : this.#refreshFailures + 1;
      this.#refreshAfter = Date.now() + Math.min(this.backoffMaxMs, 100 * 2 ** this.#refreshFailures);
    }, (err) => {
      this.#refreshFailures++;
      this.#refreshAfter = Date.now() + Math.min(this.backoffMaxMs, 100 * 2 ** this.#refreshFailures);
      throw err;
    }).finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }

  async #discover() {
    const candidates = [...new Set([...this.#seeds, ...this.#primaryList, ...this.#nodes.keys()])];
    let lastError = null;
    for (const address of candidates) {
      const node = this.#node(address);
      let ranges = null;
      try {
        ranges = parseShards(await node.command(['CLUSTER', 'SHARDS']), ...splitAddress(address));
        this.#discovery = 'CLUSTER SHARDS';
      } catch (err) {
        if (unreachable(err)) { lastError = err; continue; }
        try {
          ranges = parseSlots(await node.command(['CLUSTER', 'SLOTS']), ...splitAddress(address));
          this.#discovery = 'CLUSTER SLOTS';
        } catch (again) {
          if (unreachable(again)) { lastError = again; continue; }
          // No cluster commands here (a serverless endpoint may refuse them): every slot is
          // behind this one endpoint, and MOVED says otherwise if it is not.
          ranges = [{ from: 0, to: SLOTS - 1, address, replicas: 0 }];
          this.#discovery = `one endpoint for every slot (${oneLine(again.message, 120)})`;
        }
      }
      if (!ranges.length) { lastError = new RedisError('CLUSTERDOWN the cluster reports no serving primaries'); continue; }
      const slots = new Array(SLOTS).fill(null);
      this.#replicas.clear();
      for (const r of ranges) {
        for (let s = r.from; s <= r.to; s++) slots[s] = r.address;
        this.#replicas.set(r.address, r.replicas);
      }
      const changed = slots.some((owner, slot) => owner !== this.#slots[slot]);
      if (changed) this.#setSlots(slots);
      return changed;
    }
    throw lastError ?? new RedisError('no cluster node could be reached');
  }
}

/** A RedisClient that can also send one command after ASKING (an ASK redirection). */
class ClusterNode extends RedisClient {
  async asking(args) {
    const replies = await this.pipelineRaw([['ASKING'], args]);
    return replies[1];
  }
}

/** A node that did not answer (a socket error, a closed connection, a timeout, a client
 *  backing off), as against one that answered with an error. */
function unreachable(err) {
  return !(err instanceof RedisError) || /unavailable|connection|timed out|ECONN/.test(err.message);
}

function splitAddress(address) {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}

function isAddress(host) {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

