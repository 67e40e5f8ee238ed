// A primary dies under load (3 shards, a replica each, a real cluster on loopback): until
// its replica takes over, that shard's requests are served from the upstream (BYPASS), none
// fails; then hits come back from the new primary without restarting the function; and a
// purge that succeeded during the failover is never followed by a stale HIT.
// Prints the figures the README quotes ("failover: ...").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHandler } from '../src/index.mjs';
import { parseShards, slotOf } from '../src/cluster.mjs';
import { storedKey, versionKey } from '../src/key.mjs';
import { apiEvent, startTestCluster, startUpstream } from './helpers.mjs';

const CLIENTS = 16;
const KEYS = 300;

test('a primary killed under load: BYPASS for its shard, never an error, hits back after the takeover', async () => {
  const cluster = await startTestCluster({ shards: 3, replicas: 1, nodeTimeoutMs: 1000 });
  const upstream = await startUpstream();
  const h = createHandler({ env: { EXTERNAL_API_URL: upstream.url, REDIS_URL: cluster.url, REDIS_AUTH_TOKEN: cluster.password,
    REDIS_CA_FILE: cluster.caFile, REDIS_CLUSTER: '1', REDIS_BACKOFF_MAX_MS: '500' }, log: () => {} });
  try {
    await h.redis.open();
    const paths = Array.from({ length: KEYS }, (_, i) => `/load/item-${i}`);
    for (const p of paths) await h(apiEvent(p));  // every key cached, over all shards

    // Which shard each key lives on, and the primary to kill: the one owning the most keys.
    const check = await cluster.client();
    const ranges = parseShards(await check.command(['CLUSTER', 'SHARDS']));
    check.close();
    const owner = (p) => ranges.find((r) => {
      const slot = slotOf(storedKey('cachedemo', '0', `GET:${p}`));
      return slot >= r.from && slot <= r.to;
    }).address;
    // A shard that does not hold the namespace version: every lookup reads that key, so while
    // its shard is down every request is a BYPASS (the README says so); this measures a
    // shard that holds entries only.
    const versionSlot = slotOf(versionKey('cachedemo'));
    const victim = ranges.find((r) => versionSlot < r.from || versionSlot > r.to).address;
    const victimPaths = new Set(paths.filter((p) => owner(p) === victim));
    assert.ok(victimPaths.size > 50 && victimPaths.size < KEYS, `${victimPaths.size} keys on the victim`);

    const stats = { served: 0, errors: 0, byCache: {}, victimBypass: 0, otherBypass: 0 };
    let killedAt = 0, hitsBackAt = 0, running = true;
    const purged = new Map();  // path -> body before a purge that succeeded during the failover
    const staleHits = [];
    const client = async (n) => {
      for (let i = n; running; i += CLIENTS) {
        const p = paths[(i * 7) % KEYS];
        const r = await h(apiEvent(p));
        stats.served++;
        if (r.statusCode >= 500) stats.errors++;
        const cache = r.headers['x-cache'];
        stats.byCache[cache] = (stats.byCache[cache] ?? 0) + 1;
        if (cache === 'BYPASS') victimPaths.has(p) ? stats.victimBypass++ : stats.otherBypass++;
        if (killedAt && !hitsBackAt && cache === 'HIT' && victimPaths.has(p) && Date.now() > killedAt + 50) hitsBackAt = Date.now();
        if (cache === 'HIT' && purged.has(p) && purged.get(p) === r.body) staleHits.push(p);
      }
    };
    const load = Array.from({ length: CLIENTS }, (_, n) => client(n));
    await sleep(1000);

    await cluster.kill(Number(victim.split(':')[1]));
    killedAt = Date.now();
    const callsBefore = upstream.calls.length;
    // Purges during the failover, on the dead shard and on a live one: each either refused
    // (503: not done, the caller knows) or done, and then never followed by the old entry.
    const purges = { done: 0, refused: 0 };
    for (const p of [[...victimPaths][0], paths.find((x) => !victimPaths.has(x))]) {
      const before = (await h(apiEvent(p))).body;
      const r = await h(apiEvent(p, 'DELETE'));
      if (r.statusCode === 204 || r.statusCode === 404) { purges.done++; purged.set(p, before); } else {
        assert.equal(r.statusCode, 503);
        purges.refused++;
      }
    }
    for (let waited = 0; !hitsBackAt && waited < 30000; waited += 100) await sleep(100);
    // During the outage the healthy shards' keys never went to the upstream (the purged one's
    // miss aside): a dead shard does not make the others' hits misses.
    const healthyCalls = upstream.calls.slice(callsBefore).filter((c) => !victimPaths.has(c) && !purged.has(c)).length;
    // After the takeover a purge on the failed shard works again.
    const again = await h(apiEvent([...victimPaths][1], 'DELETE'));
    await sleep(1000);
    running = false;
    await Promise.all(load);

    assert.ok(hitsBackAt, 'hits came back from the new primary');
    assert.equal(stats.errors, 0, 'no request failed');
    assert.ok(stats.victimBypass > 0, 'the dead shard was served from the upstream');
    assert.deepEqual(staleHits, [], 'a purge during the failover was followed by a stale HIT');
    assert.equal(healthyCalls, 0, 'healthy shards\' keys went to the upstream');
    assert.equal(again.statusCode, 204, `a purge after the takeover: ${again.statusCode} ${again.body}`);
    const figures = { clients: CLIENTS, keys: KEYS, served: stats.served, ...stats.byCache, victimShardBypass: stats.victimBypass,
      otherShardsBypass: stats.otherBypass, healthyShardUpstreamCalls: healthyCalls, secondsUntilHitsResume: +((hitsBackAt - killedAt) / 1000).toFixed(2),
      purgesDuringFailover: purges };
    console.log(`failover: ${JSON.stringify(figures)}`);
  } finally {
    h.close();
    await upstream.close();
    await cluster.close();
  }
});
