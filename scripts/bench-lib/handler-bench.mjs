// Handler benchmark on the local API front with TLS + AUTH redis-server: cache hits vs the
// upstream called directly vs a connect-per-request baseline (the original demo's design),
// at concurrency 1 and 16. Prints one JSON document. (Cold starts: cold-start-bench.mjs.)
import path from 'node:path';
import { freePort } from '../../lambda/test/helpers.mjs';
import { benchServers, load, root, waitForPort } from './bench-servers.mjs';

const requests = Number(process.env.BENCH_REQUESTS || 4000);

const servers = await benchServers({ upstreamDelayMs: 0 });
try {
  const { env, ours, baseline, upstreamPort, start } = servers;
  const ourPort = await freePort(), redisOnlyPort = await freePort(), basePort = await freePort();
  start(path.join(root, 'lambda/local/front.mjs'), { ...env, PORT: String(ourPort), FUNCTION_DIR: ours });
  // The same handler with the instance copy off: every hit is a round trip to redis.
  start(path.join(root, 'lambda/local/front.mjs'), { ...env, PORT: String(redisOnlyPort), FUNCTION_DIR: ours, CACHE_LOCAL_MAX_BYTES: '0' });
  start(path.join(root, 'lambda/local/front.mjs'), { ...env, PORT: String(basePort), FUNCTION_DIR: baseline });
  for (const port of [ourPort, redisOnlyPort, basePort]) await waitForPort(port);

  const hitPath = () => '/?name=bench-hit';
  // Warm: the entry is stored, and each front has started its instances.
  for (const port of [ourPort, redisOnlyPort, basePort]) await load(port, hitPath, 16, 200);

  const results = { requestsPerRun: requests };
  for (const c of [1, 16]) {
    results[`hit_c${c}`] = await load(ourPort, hitPath, c, requests);
    results[`redis_hit_c${c}`] = await load(redisOnlyPort, hitPath, c, requests);
    results[`upstream_c${c}`] = await load(upstreamPort, hitPath, c, requests);
    results[`baseline_hit_c${c}`] = await load(basePort, hitPath, c, requests);
  }
  console.log(JSON.stringify(results, null, 2));
} finally {
  await servers.close();
}
