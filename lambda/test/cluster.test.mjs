// The cluster-aware client against real Redis Clusters on loopback (TLS, a password on
// every node): slot routing, MOVED and ASK, a shard that is down, CLUSTERDOWN, the instance
// copy per shard, purges over every primary, and a single endpoint that has no cluster
// commands (as a serverless endpoint may be).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterClient, crc16, parseShards, parseSlots, slotOf, SLOTS } from '../src/cluster.mjs';
import { apiEvent, memoryLog, startRedis, startTestCluster, startUpstream, purgeAllEvent } from './helpers.mjs';
import { createHandler } from '../src/index.mjs';
import { storedKey, versionKey } from '../src/key.mjs';

test('CRC16 is XMODEM and slots honour {hash tags} as the cluster spec says', () => {
  assert.equal(crc16(Buffer.from('123456789')), 0x31c3); // the spec's check value
  assert.equal(slotOf('{user1000}.following'), slotOf('{user1000}.followers'));
  assert.equal(slotOf('foo{}{bar}'), crc16(Buffer.from('foo{}{bar}')) % SLOTS); // empty tag: the whole key
  assert.equal(slotOf('foo{{bar}}zap'), crc16(Buffer.from('{bar')) % SLOTS); // up to the first }
  assert.equal(slotOf('foo{bar}{zap}'), crc16(Buffer.from('bar')) % SLOTS); // the first tag only
});

function clusterEnv(cluster, upstream, extra = {}) {
  return { EXTERNAL_API_URL: upstream.url, REDIS_URL: cluster.url, REDIS_AUTH_TOKEN: cluster.password,
    REDIS_CA_FILE: cluster.caFile, REDIS_CLUSTER: '1', ...extra };
}

describe('a 3-shard cluster with a replica each', () => {
  let cluster, upstream;
  const handlers = [];
  const make = async (extra) => {
    const log = memoryLog();
    const h = createHandler({ env: clusterEnv(cluster, upstream, extra), log });
    h.log = log;
    handlers.push(h);
    await h.redis.open();
    return h;
  };
  before(async () => {
    cluster = await startTestCluster({ shards: 3, replicas: 1 });
    upstream = await startUpstream();
  });
  // Each test from an empty cluster (namespace version 0 again).
  beforeEach(async () => {
    for (const port of await cluster.primaries()) {
      const c = await cluster.client(port);
      await c.command(['FLUSHALL']);
      c.close();
    }
  });
  after(async () => {
    for (const h of handlers) h.close();
    await upstream.close();
    await cluster.close();
  });

  test('the slot map comes from CLUSTER SHARDS and matches CLUSTER SLOTS; 10,000 keys spread ~1/3 per shard', async () => {
    const check = await cluster.client();
    const shards = parseShards(await check.command(['CLUSTER', 'SHARDS']));
    const slots = parseSlots(await check.command(['CLUSTER', 'SLOTS']));
    check.close();
    const owner = (ranges, slot) => ranges.find((r) => slot >= r.from && slot <= r.to).address;
    for (let s = 0; s < SLOTS; s += 97) assert.equal(owner(shards, s), owner(slots, s));
    assert.ok(shards.every((r) => r.replicas === 1));
    const counts = new Map();
    for (let i = 0; i < 10000; i++) {
      const key = storedKey('cachedemo', '0', `GET:/people?name=user-${i}`);
      const address = owner(shards, slotOf(key));
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
    assert.equal(counts.size, 3);
    for (const n of counts.values()) assert.ok(Math.abs(n / 10000 - 1 / 3) <= 0.05, `${n} of 10000 on one shard`);
  });

  test('miss then hit for keys on every shard; each key lives on its slot\'s owner', async () => {
    const h = await make();
    assert.equal(h.redis.discovery, 'CLUSTER SHARDS');
    for (let i = 0; i < 30; i++) {
      const path = `/people?name=spread-${i}`;
      assert.equal((await h(apiEvent(path))).headers['x-cache'], 'MISS');
      assert.equal((await h(apiEvent(path))).headers['x-cache'], 'HIT');
    }
    // Every node holding keys answers its own keys without a redirection.
    let keys = 0;
    for (const port of await cluster.primaries()) {
      const c = await cluster.client(port);
      const [, found] = await c.command(['SCAN', '0', 'MATCH', 'cachedemo:*', 'COUNT', '1000']);
      for (const k of found) assert.ok(await c.command(['GET', k.toString()]) !== null);
      keys += found.length;
      c.close();
    }
    assert.equal(keys, 30);
    assert.ok(upstream.calls.length >= 30);
  });

  test('purge: a key, a prefix over every primary, everything', async () => {
    const h = await make();
    const paths = Array.from({ length: 12 }, (_, i) => `/fleet/car-${i}`);
    for (const p of paths) await h(apiEvent(p));
    const one = await h(apiEvent(paths[0], 'DELETE'));
    assert.equal(one.statusCode, 204);
    assert.equal(one.headers['x-cache-removed'], '1');
    assert.equal((await h(apiEvent(paths[0]))).headers['x-cache'], 'MISS');
    const prefix = await h({ ...apiEvent('/fleet', 'DELETE'), headers: { 'x-cachedemo-purge': 'prefix' } });
    assert.equal(prefix.statusCode, 204);
    assert.equal(prefix.headers['x-cache-removed'], '12');
    for (const p of paths) assert.equal((await h(apiEvent(p))).headers['x-cache'], 'MISS');
    const all = await h(purgeAllEvent());
    assert.equal(all.statusCode, 204);
    for (const p of paths) assert.equal((await h(apiEvent(p))).headers['x-cache'], 'MISS');
  });

  test('the instance copy is per shard: a lost connection drops only what that shard served', async () => {
    const h = await make();
    const paths = Array.from({ length: 9 }, (_, i) => `/copy/item-${i}`);
    for (const p of paths) { await h(apiEvent(p)); await h(apiEvent(p)); }
    const from = async (p) => (await h({ ...apiEvent(p), headers: { 'x-cachedemo-diagnostics': '1' } })).headers['x-cache-from'];
    for (const p of paths) assert.equal(await from(p), 'instance');
    // Cut the handler's connection on a shard that owns an entry but not the version key
    // (which every lookup reads: cut, it would send every lookup to redis or the upstream).
    const versionOwner = await ownerPort(cluster, slotOf(versionKey('cachedemo')));
    const owners = await Promise.all(paths.map((p) => ownerPort(cluster, slotOf(storedKey('cachedemo', '0', `GET:${p}`)))));
    const port = owners.find((o) => o !== versionOwner);
    assert.ok(port, 'the entries are spread over more than the version key\'s shard');
    const c = await cluster.client(port);
    const killed = await c.command(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    c.close();
    assert.ok(killed >= 1, `${killed} connections killed`);
    await sleep(100);
    for (const [i, p] of paths.entries()) {
      const result = await from(p);
      // What was read through the cut connection is not answered from the copy again: from
      // redis, or from the upstream while the client backs off. The other shards' copies stay.
      if (owners[i] === port) assert.notEqual(result, 'instance', p);
      else assert.equal(result, 'instance', p);
    }
  });

  test('a slot moved to another shard: MOVED is followed and the map refreshed', async () => {
    const h = await make();
    const path = '/moving/target';
    await h(apiEvent(path));
    const key = storedKey('cachedemo', '0', 'GET:/moving/target');
    const slot = slotOf(key);
    const before = await cluster.primaries();
    const from = await ownerPort(cluster, slot);
    const to = before.find((p) => p !== from);
    await moveSlot(cluster, slot, from, to);
    const moved = await h(apiEvent(path));
    assert.equal(moved.headers['x-cache'], 'HIT');
    assert.equal((await h(apiEvent(path))).headers['x-cache'], 'HIT');
    await moveSlot(cluster, slot, to, from);
    assert.equal((await h(apiEvent(path))).headers['x-cache'], 'HIT');
  });

  test('a resharded slot that sent no invalidation: the copy of its old owner is dropped once the map is refreshed', async () => {
    const saved = ClusterClient.MAP_MAX_AGE_MS;
    ClusterClient.MAP_MAX_AGE_MS = 0;  // a map is refreshed in the background on every hit
    try {
      const h = await make();
      const other = await make({ CACHE_LOCAL_MAX_BYTES: '0' });
      const path = '/resharded/entry';
      await h(apiEvent(path));
      assert.equal((await h(apiEvent(path))).headers['x-cache'], 'HIT');
      // The namespace version does not exist yet: its slot moves with nothing to migrate, so
      // no invalidation reaches the copy that holds "no version" from the old owner.
      const slot = slotOf(versionKey('cachedemo'));
      const from = await ownerPort(cluster, slot);
      const to = (await cluster.primaries()).find((p) => p !== from);
      await moveSlot(cluster, slot, from, to);
      assert.equal((await other(purgeAllEvent())).statusCode, 204);
      let cache = 'HIT';
      for (let i = 0; i < 40 && cache === 'HIT'; i++) {
        cache = (await h(apiEvent(path))).headers['x-cache'];
        await sleep(50);
      }
      assert.equal(cache, 'MISS', 'the purge of everything was seen');
      await moveSlot(cluster, slot, to, from);
    } finally {
      ClusterClient.MAP_MAX_AGE_MS = saved;
    }
  });

  test('a slot being migrated: ASK is followed with ASKING for the one command', async () => {
    const h = await make({ CACHE_LOCAL_MAX_BYTES: '0' });
    const path = '/asking/target';
    await h(apiEvent(path));
    const key = storedKey('cachedemo', '0', 'GET:/asking/target');
    const slot = slotOf(key);
    const from = await ownerPort(cluster, slot);
    const to = (await cluster.primaries()).find((p) => p !== from);
    const [source, target] = [await cluster.client(from), await cluster.client(to)];
    const ids = [await nodeId(source), await nodeId(target)];
    await target.command(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', ids[0]]);
    await source.command(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', ids[1]]);
    await source.command(['MIGRATE', '127.0.0.1', String(to), '', '0', '5000', 'AUTH', cluster.password, 'KEYS', key]);
    // The source no longer has the key and answers ASK; the client asks the target.
    await assert.rejects(source.command(['GET', key]), { message: /^ASK / });
    const asked = await h(apiEvent(path));
    assert.equal(asked.headers['x-cache'], 'HIT');
    for (const c of [source, target]) await c.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', ids[1]]);
    source.close();
    target.close();
    await moveSlot(cluster, slot, to, from);
  });

});

describe('a cluster with a shard that goes down', () => {
  let cluster, upstream;
  before(async () => {
    cluster = await startTestCluster({ shards: 3, replicas: 0 });
    upstream = await startUpstream();
  });
  after(async () => {
    await upstream.close();
    await cluster.close();
  });

  test('its keys are served from the upstream as BYPASS (never a 5xx), then CLUSTERDOWN is too', async () => {
    const log = memoryLog();
    // No instance copy: every hit asks the cluster (a copy would go on answering, correctly, from memory).
    const h = createHandler({ env: clusterEnv(cluster, upstream, { REDIS_BACKOFF_MAX_MS: '200', CACHE_LOCAL_MAX_BYTES: '0' }), log });
    await h.redis.open();
    const paths = Array.from({ length: 12 }, (_, i) => `/down/item-${i}`);
    for (const p of paths) await h(apiEvent(p));
    const victim = (await cluster.primaries())[1];
    await cluster.kill(victim);
    const seen = new Set();
    for (const p of paths) {
      const r = await h(apiEvent(p));
      assert.equal(r.statusCode, 200);
      seen.add(r.headers['x-cache']);
    }
    assert.ok(seen.has('BYPASS'), [...seen].join());
    // Once the others mark it failed, the cluster is down as a whole (full coverage): still 200s.
    for (let i = 0; i < 60 && !/cluster_state:fail/.test(await cluster.info(cluster.ports.find((p) => p !== victim))); i++) await sleep(100);
    for (const p of paths) {
      const r = await h(apiEvent(p));
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['x-cache'], 'BYPASS');
    }
    assert.ok(log.records.some((r) => /CLUSTERDOWN/.test(r.message ?? '')), 'CLUSTERDOWN was seen and logged');
    h.close();
  });
});

describe('one endpoint for every slot (a serverless endpoint)', () => {
  let upstream;
  before(async () => { upstream = await startUpstream(); });
  after(async () => { await upstream.close(); });

  for (const [name, args] of [['no cluster support', []], ['CLUSTER renamed away', ['--rename-command', 'CLUSTER', '']]]) {
    test(`works when the cluster commands fail (${name})`, async () => {
      const redis = await startRedis({ tls: true, password: 'pw', args });
      const h = createHandler({ env: { EXTERNAL_API_URL: upstream.url, REDIS_URL: redis.url, REDIS_AUTH_TOKEN: 'pw',
        REDIS_CA_FILE: redis.caFile, REDIS_CLUSTER: '1' }, log: () => {} });
      await h.redis.open();
      assert.match(h.redis.discovery, /^one endpoint for every slot/);
      assert.equal((await h(apiEvent('/solo'))).headers['x-cache'], 'MISS');
      assert.equal((await h(apiEvent('/solo'))).headers['x-cache'], 'HIT');
      const purged = await h({ ...apiEvent('/', 'DELETE'), headers: { 'x-cachedemo-purge': 'prefix' } });
      assert.equal(purged.headers['x-cache-removed'], '1');
      h.close();
      await redis.close();
    });
  }

  test('a one-node cluster with an RBAC user (the serverless stand-in)', async () => {
    // The stack's serverless user (CacheAuthPart.serverlessAccessString): no CLIENT TRACKING,
    // WAIT or ASKING, which ElastiCache Serverless lists as unavailable or not at all.
    const access = 'on ~cachedemo:* -@all +get +set +incr +scan +unlink +cluster|shards +cluster|slots';
    const cluster = await startTestCluster({ shards: 1, users: [{ name: 'cachedemo-app', password: 'app-secret', access }] });
    const log = memoryLog();
    const h = createHandler({ env: clusterEnv(cluster, upstream, { REDIS_USERNAME: 'cachedemo-app', REDIS_AUTH_TOKEN: 'app-secret',
      REDIS_SERVERLESS: '1' }), log });
    await h.redis.open();
    assert.equal(h.redis.discovery, 'CLUSTER SHARDS');
    assert.match(h.redis.instanceCopy.reason, /ElastiCache Serverless has no CLIENT TRACKING/);
    assert.equal((await h(apiEvent('/rbac'))).headers['x-cache'], 'MISS');
    assert.equal((await h(apiEvent('/rbac'))).headers['x-cache'], 'HIT');
    const purged = await h({ ...apiEvent('/', 'DELETE'), headers: { 'x-cachedemo-purge': 'prefix' } });
    assert.equal(purged.headers['x-cache-removed'], '1');
    assert.equal((await h(purgeAllEvent())).statusCode, 204);
    // Nothing the user may not run was sent (the server logs every refusal), nor any
    // "refused" noise on the function's log.
    const admin = await cluster.client();
    assert.deepEqual(await admin.command(['ACL', 'LOG']), [], 'a command the serverless user may not run was sent');
    admin.close();
    assert.ok(!log.records.some((r) => /refused/.test(r.message ?? '')), JSON.stringify(log.records));
    h.close();
    await cluster.close();
  });
});

/** The port of the primary that owns `slot` now. */
async function ownerPort(cluster, slot) {
  const c = await cluster.client((await cluster.primaries())[0]);
  const ranges = parseShards(await c.command(['CLUSTER', 'SHARDS']));
  c.close();
  return Number(ranges.find((r) => slot >= r.from && slot <= r.to).address.split(':')[1]);
}

async function nodeId(connection) {
  return (await connection.command(['CLUSTER', 'MYID'])).toString();
}

/** Moves one slot and its keys from one primary to another, as resharding does. */
async function moveSlot(cluster, slot, from, to) {
  const [source, target] = [await cluster.client(from), await cluster.client(to)];
  const ids = [await nodeId(source), await nodeId(target)];
  await target.command(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', ids[0]]);
  await source.command(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', ids[1]]);
  for (;;) {
    const keys = await source.command(['CLUSTER', 'GETKEYSINSLOT', String(slot), '100']);
    if (!keys.length) break;
    await source.command(['MIGRATE', '127.0.0.1', String(to), '', '0', '5000', 'AUTH', cluster.password, 'KEYS', ...keys]);
  }
  for (const c of [source, target]) await c.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', ids[1]]);
  // Tell the rest of the cluster too, and wait until every node agrees.
  for (const port of await cluster.primaries()) {
    const c = await cluster.client(port);
    await c.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', ids[1]]).catch(() => {});
    c.close();
  }
  source.close();
  target.close();
}
