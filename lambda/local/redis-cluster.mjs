// A real Redis Cluster on loopback, as ElastiCache runs one with cluster mode enabled: N
// primaries with R replicas each, TLS on client connections, the cluster bus and
// replication, a password on every node, created with the engine's own tool
// (`redis-cli --cluster create`). Used by `cachedemo local --shards`, the emulator (a
// sharded or serverless cache it serves) and the handler's tests.
//
// As a program: SHARDS, REPLICAS, PORTS (comma-separated, SHARDS × (1 + REPLICAS) of them;
// each port + 10000 is its cluster bus), DIR, TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE,
// REDIS_PASSWORD, optional USERS ("name:password" RBAC users, comma-separated, for the
// serverless stand-in) and USER_ACCESS (their ACL rules, as the stack's user has them), NODE_TIMEOUT_MS, PORT (it listens there once the cluster serves,
// so a parent can wait for that). Stops every node on SIGTERM, SIGINT or stdin's end, from
// the first moment (during start-up too), and each node dies with it even when it is killed
// outright (a parent-death signal, through util-linux's setpriv where there is one).
import { spawn, execFile } from 'node:child_process';
import { writeFileSync, mkdirSync, accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const run = promisify(execFile);

/** The node's settings, in a 0600 file: the password never appears on a command line. */
function nodeConfig({ port, dir, certs, password, users, nodeTimeoutMs }) {
  const lines = [
    'bind 127.0.0.1', 'port 0', `tls-port ${port}`, 'tls-cluster yes', 'tls-replication yes',
    `tls-cert-file ${certs.cert}`, `tls-key-file ${certs.key}`, `tls-ca-cert-file ${certs.ca}`, 'tls-auth-clients no',
    'cluster-enabled yes', `cluster-config-file nodes-${port}.conf`, `cluster-node-timeout ${nodeTimeoutMs}`,
    // A replica may take over even after a short gap in replication (a killed primary).
    'cluster-replica-validity-factor 0', 'cluster-require-full-coverage yes',
    `requirepass ${password}`, `masterauth ${password}`, 'save ""', 'appendonly no', `dir ${dir}`,
    'enable-debug-command local',
  ];
  for (const { name, password: secret, access } of users) lines.push(`user ${name} on >${secret} ${access ?? '~* &* +@all'}`);
  const file = path.join(dir, `redis-${port}.conf`);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  return file;
}

/**
 * What `redis-cli --cluster create` does, for the one or two primaries it refuses (it wants
 * three): each primary its share of the slots, everyone MEETs the first, each replica
 * follows its primary.
 */
async function assemble(cli, { shards, replicas, ports }) {
  const primaries = ports.slice(0, shards);
  const per = Math.ceil(16384 / shards);
  await Promise.all(primaries.map((port, i) => cli(port, 'CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1)))));
  await Promise.all(ports.slice(1).map((port) => cli(port, 'CLUSTER', 'MEET', '127.0.0.1', String(ports[0]))));
  const ids = await Promise.all(primaries.map(async (port) => (await cli(port, 'CLUSTER', 'MYID')).trim()));
  for (let r = 0; r < shards * replicas; r++) {
    const port = ports[shards + r];
    for (let i = 0; ; i++) {
      // A node can follow a primary only once it knows it (MEET spreads by gossip).
      const out = await cli(port, 'CLUSTER', 'REPLICATE', ids[r % shards]).catch((e) => e.stdout ?? String(e));
      if (/OK/.test(out)) break;
      if (i > 200) throw new Error(`node ${port} could not follow its primary: ${out}`);
      await sleep(50);
    }
  }
}

async function reachable(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** `setpriv --pdeathsig KILL -- cmd …` where setpriv is on PATH (it execs: same pid). */
function dyingWithParent(command, args) {
  if (process.platform !== 'linux') return [command, args];
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    const setpriv = path.join(dir, 'setpriv');
    try { accessSync(setpriv, constants.X_OK); } catch { continue; }
    return [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]];
  }
  return [command, args];
}

/**
 * Starts the nodes, makes them one cluster, and waits until every node says the cluster
 * is ok and every replica has caught up. Returns the nodes (port, role) and `stop`, `kill`
 * (one node's process, as a crash) and `info` (CLUSTER INFO of a node).
 */
export async function startCluster({ shards, replicas = 0, ports, dir, certs, password, users = [], nodeTimeoutMs = 2000,
  redisServer = 'redis-server', redisCli = 'redis-cli', signal }) {
  const count = shards * (1 + replicas);
  if (ports.length !== count) throw new Error(`need ${count} ports, got ${ports.length}`);
  mkdirSync(dir, { recursive: true });
  const procs = new Map();
  const env = { ...process.env, REDISCLI_AUTH: password };
  const cli = (port, ...args) => run(...dyingWithParent(redisCli, ['--tls', '--cacert', certs.ca, '-h', '127.0.0.1', '-p', String(port), ...args]),
    { env, timeout: 30000 }).then((r) => r.stdout);
  const startNode = async (port) => {
    // Aborted (the program is stopping): no node starts after the others were stopped.
    signal?.throwIfAborted();
    const [command, args] = dyingWithParent(redisServer, [nodeConfig({ port, dir, certs, password, users, nodeTimeoutMs })]);
    const proc = spawn(command, args, { stdio: 'ignore', cwd: dir });
    procs.set(port, proc);
    for (let i = 0; i < 400 && !(await reachable(port)); i++) await sleep(25);
  };
  const cluster = {
    ports,
    async stop() {
      const exits = [...procs.values()].map((p) => (p.exitCode === null && p.signalCode === null
        ? new Promise((resolve) => { p.once('exit', resolve); p.kill('SIGKILL'); }) : null));
      procs.clear();
      await Promise.all(exits);
    },
    /** Kills one node outright, as a crashed host. */
    async kill(port) {
      const p = procs.get(port);
      procs.delete(port);
      if (p && p.exitCode === null) await new Promise((resolve) => { p.once('exit', resolve); p.kill('SIGKILL'); });
    },
    info: (port) => cli(port, 'CLUSTER', 'INFO'),
    cli,
    /** The ports of the primaries now (after a failover, a former replica is one). */
    async primaries() {
      for (const port of ports.filter((p) => procs.has(p))) {
        try {
          const out = await cli(port, 'CLUSTER', 'NODES');
          return out.split('\n').filter((l) => /\bmaster\b/.test(l) && !/\bfail\b/.test(l) && l.split(' ')[8])
            .map((l) => Number(l.split(' ')[1].split(':')[1].split('@')[0]));
        } catch { /* that node is down: ask the next */ }
      }
      return [];
    },
  };
  // A stop during start-up kills at once every node started so far (kill is synchronous).
  signal?.addEventListener('abort', () => { cluster.stop(); }, { once: true });
  try {
    await Promise.all(ports.map(startNode));
    if (shards >= 3) {
      await cli(ports[0], '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas),
        '--cluster-yes');
    } else {
      await assemble(cli, { shards, replicas, ports });
    }
    for (let i = 0; ; i++) {
      const states = await Promise.all(ports.map((p) => cli(p, 'CLUSTER', 'INFO').catch(() => '')));
      const replication = await Promise.all(ports.map((p) => cli(p, 'INFO', 'replication').catch(() => '')));
      const ok = states.every((s) => /cluster_state:ok/.test(s) && /cluster_slots_ok:16384/.test(s))
        && replication.filter((r) => /role:slave/.test(r)).length === shards * replicas
        && replication.filter((r) => /role:slave/.test(r)).every((r) => /master_link_status:up/.test(r));
      if (ok) break;
      if (i > 400) throw new Error('the cluster did not come up within 20 s');
      await sleep(50);
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const e = process.env;
  const users = (e.USERS || '').split(',').filter(Boolean).map((u) => {
    const at = u.indexOf(':');
    return { name: u.slice(0, at), password: u.slice(at + 1), access: e.USER_ACCESS || undefined };
  });
  // Stop handlers first: a signal while the nodes start must stop them too.
  const stopping = new AbortController();
  let cluster = null;
  let ready = null;
  const stop = async () => {
    stopping.abort();
    ready?.close();
    await cluster?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  try {
    cluster = await startCluster({
      shards: Number(e.SHARDS), replicas: Number(e.REPLICAS || 0), ports: e.PORTS.split(',').map(Number), dir: e.DIR,
      certs: { cert: e.TLS_CERT_FILE, key: e.TLS_KEY_FILE, ca: e.TLS_CA_FILE }, password: e.REDIS_PASSWORD, users,
      nodeTimeoutMs: Number(e.NODE_TIMEOUT_MS || 2000), redisServer: e.REDIS_SERVER || 'redis-server', redisCli: e.REDIS_CLI || 'redis-cli',
      signal: stopping.signal,
    });
  } catch (err) {
    if (stopping.signal.aborted) await new Promise(() => {});  // stop() is exiting
    console.error(`redis-cluster: ${err.message}`);
    process.exit(1);
  }
  if (stopping.signal.aborted) await new Promise(() => {});
  ready = net.createServer((s) => s.end()).listen(Number(e.PORT), '127.0.0.1');
}
