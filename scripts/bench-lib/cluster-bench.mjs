// Cluster benchmark (issue 11): the same handler on the local API front against a 3-shard
// TLS + AUTH Redis Cluster and against one TLS + AUTH redis-server, same run: cache-hit p50
// and req/s at concurrency 1 and 16, instance copy on and off; and how 10,000 keys spread
// over the shards. Prints one JSON document.
import path from 'node:path';
import { freePort, startTestCluster } from '../../lambda/test/helpers.mjs';
import { parseShards, slotOf } from '../../lambda/src/cluster.mjs';
import { storedKey } from '../../lambda/src/key.mjs';
import { benchServers, load, root, waitForPort } from './bench-servers.mjs';

const requests = Number(process.env.BENCH_REQUESTS || 4000);

const servers = await benchServers({ upstreamDelayMs: 0 });
const cluster = await startTestCluster({ shards: 3, replicas: 0 });
try {
  const { env, ours, start } = servers;
  const clusterEnv = { ...env, REDIS_URL: cluster.url, REDIS_AUTH_TOKEN: cluster.password, REDIS_CA_FILE: cluster.caFile,
    REDIS_CLUSTER: '1' };
  const fronts = {};
  for (const [name, extra] of [['single', env], ['cluster', clusterEnv], ['single_nocopy', { ...env, CACHE_LOCAL_MAX_BYTES: '0' }],
    ['cluster_nocopy', { ...clusterEnv, CACHE_LOCAL_MAX_BYTES: '0' }]]) {
    fronts[name] = await freePort();
    start(path.join(root, 'lambda/local/front.mjs'), { ...extra, PORT: String(fronts[name]), FUNCTION_DIR: ours });
  }
  for (const port of Object.values(fronts)) await waitForPort(port);
  // 64 keys over every shard, each stored once; then hits only.
  const hitPath = (i) => `/?name=bench-${i % 64}`;
  for (const port of Object.values(fronts)) await load(port, hitPath, 16, 256).catch(() => {});
  for (const port of Object.values(fronts)) await load(port, hitPath, 16, 256);

  const results = { requestsPerRun: requests };
  for (const c of [1, 16]) {
    for (const [name, port] of Object.entries(fronts)) results[`${name}_c${c}`] = await load(port, hitPath, c, requests, { mustHit: true });
  }
  const check = await cluster.client();
  const ranges = parseShards(await check.command(['CLUSTER', 'SHARDS']));
  check.close();
  const counts = {};
  for (let i = 0; i < 10000; i++) {
    const slot = slotOf(storedKey('cachedemo', '0', `GET:/people?name=user-${i}`));
    const owner = ranges.find((r) => slot >= r.from && slot <= r.to).address;
    counts[owner] = (counts[owner] ?? 0) + 1;
  }
  results.spread = Object.values(counts).map((n) => +(n / 100).toFixed(2));
  console.log(JSON.stringify(results, null, 2));
} finally {
  await cluster.close();
  await servers.close();
}
