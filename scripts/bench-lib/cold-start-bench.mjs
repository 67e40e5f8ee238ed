// Cold start benchmark: a fresh Node process per run loads the function, then serves a miss
// on a new key and a hit on the same key; a second fresh process then asks for that key (a
// cold start whose first request hits). Against TLS + AUTH redis-server and the demo
// upstream (~100 ms); medians of BENCH_COLD_RUNS (10) runs, for our handler and the original
// design. Each extra `label=dir` argument adds a function directory (an older version, say).
// The upstream alone too: its first and second fetch in a fresh process. Prints one JSON
// document.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchServers } from './bench-servers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const runs = Number(process.env.BENCH_COLD_RUNS || 10);
const upstreamDelayMs = 100;

/** A fresh process running `args`; its last stdout line, parsed. */
function fresh(args, env) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env }, (err, stdout) => {
      if (err) reject(err); else resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

/** Medians of each numeric field; string fields must agree across runs (x-cache: MISS then HIT). */
function medians(samples) {
  const out = {};
  for (const [name, value] of Object.entries(samples[0])) {
    if (typeof value === 'number') {
      const sorted = samples.map((s) => s[name]).sort((a, b) => a - b);
      out[name] = sorted[Math.floor(sorted.length / 2)];
    } else {
      out[name] = [...new Set(samples.map((s) => s[name]))].join('|');
    }
  }
  return out;
}

const servers = await benchServers({ upstreamDelayMs });
try {
  const functions = { ours: servers.ours, baseline: servers.baseline,
    ...Object.fromEntries(process.argv.slice(2).map((arg) => arg.split('='))) };
  const samples = Object.fromEntries(Object.keys(functions).map((label) => [label, []]));
  const upstreamSamples = [];
  const upstreamProbe = `const u = ${JSON.stringify(servers.upstream)} + '/?name=';
    const ms = (t0) => +(performance.now() - t0).toFixed(2);
    let t0 = performance.now(); await (await fetch(u + 'a')).arrayBuffer(); const firstFetchMs = ms(t0);
    t0 = performance.now(); await (await fetch(u + 'b')).arrayBuffer(); const secondFetchMs = ms(t0);
    console.log(JSON.stringify({ firstFetchMs, secondFetchMs }));`;
  // Interleaved, so that a slow moment of the machine falls on every row alike.
  for (let i = 0; i < runs; i++) {
    for (const [label, dir] of Object.entries(functions)) {
      const key = `cold-${label}-${i}-${process.pid}`;
      const probe = () => fresh([path.join(here, 'cold-start-probe.mjs'), dir, key], { ...process.env, ...servers.env });
      const missFirst = await probe(), hitFirst = await probe();
      samples[label].push({ moduleLoadMs: missFirst.moduleLoadMs, firstMissMs: missFirst.firstMs, firstHitMs: missFirst.secondMs,
        coldHitMs: hitFirst.firstMs, xCache: [missFirst.first, missFirst.second, hitFirst.first].join(' ') });
    }
    upstreamSamples.push(await fresh(['--input-type=module', '-e', upstreamProbe], process.env));
  }
  const results = { runs, upstreamDelayMs, upstream: medians(upstreamSamples) };
  for (const [label, list] of Object.entries(samples)) results[label] = medians(list);
  console.log(JSON.stringify(results, null, 2));
} finally {
  await servers.close();
}
