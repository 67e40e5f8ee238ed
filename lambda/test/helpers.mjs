// Real servers for the handler tests: redis-server (plain, or TLS with a password and
// certificates made here with openssl) and a local upstream HTTP API.
import { after, before, beforeEach } from 'node:test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHandler } from '../src/index.mjs';
import { RedisConnection } from '../src/redis.mjs';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A self-signed CA and a server certificate for 127.0.0.1 and localhost. */
export function makeCertificates(dir) {
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=cachedemo test CA',
    '-keyout', 'ca.key', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  const ext = path.join(dir, 'san.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > '${ext}'`]);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
    '-extfile', 'san.ext', '-out', 'server.pem');
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

/**
 * Starts redis-server on a free loopback port; `stop` and `start` let a test kill and revive
 * it. `args` adds server options (`['--rename-command', 'HELLO', '']` makes an older server).
 */
export async function startRedis({ tls = false, password, args: extra = [] } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-redis-'));
  const certs = tls ? makeCertificates(dir) : null;
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--enable-debug-command', 'local'];
  if (tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key,
      '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  if (password) args.push('--requirepass', password);
  args.push(...extra);
  const url = `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  const ca = tls ? (await import('node:fs')).readFileSync(certs.ca) : undefined;
  let proc = null;

  const server = {
    url, port, ca, caFile: certs?.ca, password,
    async start() {
      proc = spawn('redis-server', args, { stdio: 'ignore' });
      for (let i = 0; i < 200; i++) {
        try {
          const c = await RedisConnection.connect(url, { token: password, ca });
          c.close();
          return;
        } catch { await sleep(25); }
      }
      throw new Error(`redis-server did not start on ${url}`);
    },
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = null;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGKILL');
      await exited;
    },
    /** A separate connection for the test's own checks (TTL, DBSIZE, ...). */
    async client() { return RedisConnection.connect(url, { token: password, ca, commandTimeoutMs: 5000 }); },
    async close() { await server.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
  await server.start();
  return server;
}

/**
 * A TCP proxy to a loopback port that accepts connections at once but holds what they send
 * until `open()`: a cache whose handshake does not answer yet. `accepted()` resolves once
 * a client has connected.
 */
export async function gatedProxy(port) {
  const held = [], sockets = new Set();
  let gated = true, onAccept = null, accepted = 0;
  const srv = net.createServer((client) => {
    const server = net.connect({ host: '127.0.0.1', port });
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { client.destroy(); server.destroy(); sockets.delete(s); });
    }
    // Not piped yet, a socket keeps what arrives.
    const forward = () => { client.pipe(server); server.pipe(client); };
    if (gated) held.push(forward); else forward();
    accepted++;
    onAccept?.();
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${srv.address().port}`,
    accepted() { return accepted ? Promise.resolve() : new Promise((resolve) => { onAccept = resolve; }); },
    open() { gated = false; for (const forward of held.splice(0)) forward(); },
    close() { for (const s of sockets) s.destroy(); return new Promise((resolve) => srv.close(resolve)); },
  };
}

/**
 * A small upstream API that counts its calls: JSON, slow, error, large and binary paths.
 */
export async function startUpstream() {
  const calls = [];
  /** Each call's request line and headers, for what the upstream was sent. */
  const requests = [];
  const upstreamFault = { now: null };
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    calls.push(u.pathname + u.search);
    requests.push({ url: req.url, headers: req.headers });
    const send = (status, type, body) => { res.writeHead(status, { 'content-type': type }); res.end(body); };
    const p = u.pathname;
    if (p.startsWith('/slow')) {
      const ms = Number(u.searchParams.get('ms') || 1000);
      const t = setTimeout(() => send(200, 'application/json', '{"slow":true}'), ms);
      res.on('close', () => clearTimeout(t));
    } else if (p.startsWith('/status/')) {
      const code = Number(p.split('/')[2]);
      send(code, 'application/json', JSON.stringify({ error: code }));
    } else if (p === '/big') {
      send(200, 'text/plain', 'x'.repeat(Number(u.searchParams.get('bytes'))));
    } else if (p === '/binary') {
      send(200, 'image/png', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    } else if (p.startsWith('/h/') && upstreamFault.now) {
      // upstream.fail(503 | 'drop' | null): /h/ answers fail on command, as an outage does.
      if (upstreamFault.now === 'drop') return req.socket.destroy();
      res.writeHead(upstreamFault.now, { 'content-type': 'application/json', 'retry-after': '30' });
      res.end(JSON.stringify({ error: upstreamFault.now }));
    } else if (p.startsWith('/h/')) {
      // /h/...?status=N&body=TEXT&h.<name>=<value>: answers with those headers (an ETag
      // given answers a matching If-None-Match with 304, as a real origin does).
      const headers = {};
      for (const [k, v] of u.searchParams) if (k.startsWith('h.')) headers[k.slice(2)] = v;
      const etag = headers.etag;
      if (etag && req.headers['if-none-match'] === etag) {
        res.writeHead(304, Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type')));
        return res.end();
      }
      const status = Number(u.searchParams.get('status') || 200);
      const body = u.searchParams.get('repeat')
        ? JSON.stringify(Array.from({ length: Number(u.searchParams.get('repeat')) }, (_, i) => ({ id: i, name: `item ${i}`, call: calls.length })))
        : JSON.stringify({ path: p, call: calls.length });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(status === 304 ? undefined : body);
    } else if (p.startsWith('/gated')) {
      setTimeout(() => send(200, 'application/json', JSON.stringify({ n: calls.length })), 100);
    } else {
      send(200, 'application/json; charset=utf-8',
        JSON.stringify({ path: p, query: Object.fromEntries(u.searchParams), call: calls.length }));
    }
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${srv.address().port}`;
  return {
    url, calls, requests,
    /** Makes /h/ answers fail (a status, or 'drop' for a cut connection); null: answer again. */
    fail(fault) { upstreamFault.now = fault; },
    callsTo(prefix) { return calls.filter((c) => c.startsWith(prefix)).length; },
    /** The headers of the last call whose path starts with `prefix`. */
    lastHeaders(prefix) { return requests.filter((r) => r.url.startsWith(prefix)).at(-1)?.headers; },
    close() { srv.closeAllConnections(); return new Promise((resolve) => srv.close(resolve)); },
  };
}

/** The lambda/ folder: src/ (the function), local/ (the front) and test/. */
export const lambdaDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The local API front (local/front.mjs) serving src/, on a free port, with `env` added to
 * this process's environment; its JSON log lines (the function's and its own) are on `lines`.
 */
export async function startFront(env) {
  const child = spawn(process.execPath, [path.join(lambdaDir, 'local/front.mjs')], {
    env: { ...process.env, FUNCTION_DIR: path.join(lambdaDir, 'src'), PORT: '0', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = [];
  let buffered = '';
  child.stdout.on('data', (d) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop();
    lines.push(...parts.map((l) => JSON.parse(l)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let port;
  for (let i = 0; i < 200 && !port && child.exitCode === null; i++) {
    port = lines.find((l) => l.message === 'listening')?.port;
    if (!port) await sleep(25);
  }
  if (!port) { child.kill(); throw new Error('the front did not start'); }
  return {
    port, lines, child, url: `http://127.0.0.1:${port}`,
    async stop() { child.kill('SIGCONT'); child.kill('SIGTERM'); await exited; },
  };
}

let seq = 0;
/** An API Gateway HTTP API payload 2.0 event. */
export function apiEvent(pathAndQuery, method = 'GET') {
  const [rawPath, rawQueryString = ''] = pathAndQuery.split('?');
  const requestId = `req-${++seq}`;
  return {
    version: '2.0', routeKey: `${method} /{proxy+}`, rawPath, rawQueryString, headers: {},
    requestContext: { requestId, http: { method, path: rawPath, sourceIp: '127.0.0.1' } },
    isBase64Encoded: false,
  };
}

/** DELETE of everything, as `cachedemo invalidate --all` sends it. */
export function purgeAllEvent() {
  return { ...apiEvent('/', 'DELETE'), headers: { 'x-cachedemo-purge': 'all' } };
}

/** A log sink that keeps the records for assertions. */
export function memoryLog() {
  const records = [];
  const log = (r) => records.push(r);
  log.records = records;
  return log;
}

/** The function's environment for a redis-server and an upstream URL, as the stack sets it. */
export function functionEnv(redis, upstreamURL) {
  return { EXTERNAL_API_URL: upstreamURL, REDIS_URL: redis.url, REDIS_AUTH_TOKEN: redis.password, REDIS_CA_FILE: redis.caFile };
}

/** A handler wired to a test's redis-server and upstream; its log records are on h.log. */
export function handlerFor(redis, upstream, env = {}) {
  const log = memoryLog();
  const h = createHandler({ env: { ...functionEnv(redis, upstream.url), ...env }, log });
  h.log = log;
  return h;
}

/**
 * A suite's servers: redis-server (`redisOptions` as for startRedis), an upstream and a
 * check connection, started before its tests, emptied before each, stopped after it; the
 * handlers `make` builds (with `env` over `defaultEnv`) are closed with them. `make`
 * resolves once the handler's connection attempt has ended: a warm instance, whose first
 * miss is stored before it is answered (a cold one may answer from the upstream first).
 */
export function suiteServers(redisOptions, defaultEnv = {}) {
  const servers = { redis: null, upstream: null, check: null, handlers: [] };
  servers.make = async (env = {}) => {
    const h = handlerFor(servers.redis, servers.upstream, { ...defaultEnv, ...env });
    servers.handlers.push(h);
    await h.redis?.open();
    return h;
  };
  before(async () => {
    servers.redis = await startRedis(redisOptions);
    servers.upstream = await startUpstream();
    servers.check = await servers.redis.client();
  });
  beforeEach(async () => {
    await servers.check.command(['FLUSHALL']);
    servers.upstream.calls.length = 0;
    servers.upstream.requests.length = 0;
  });
  after(async () => {
    for (const h of servers.handlers) h.close();
    servers.check.close();
    await servers.upstream.close();
    await servers.redis.close();
  });
  return servers;
}

/**
 * GETs one at a time on one keep-alive connection, speaking just enough HTTP/1.1
 * (Content-Length bodies) to stay light next to what it measures: { status, head } each.
 */
export function keepAliveClient(port) {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  let buf = Buffer.alloc(0), waiting = null;
  const answer = (result) => { const resolve = waiting; waiting = null; resolve?.(result); };
  socket.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const head = buf.toString('latin1', 0, end);
    const total = end + 4 + Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buf.length < total) return;
    buf = buf.subarray(total);
    answer({ status: Number(head.slice(9, 12)), head });
  });
  socket.on('error', () => answer({ status: 0, head: '' }));
  return {
    get(path) {
      return new Promise((resolve) => {
        waiting = resolve;
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      });
    },
    close() { socket.destroy(); },
  };
}

/** A free loopback port whose cluster bus port (+10000) is free too. */
export async function freeClusterPort() {
  for (;;) {
    const port = await freePort();
    if (port + 10000 > 65535) continue;
    const bus = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port + 10000, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (bus) return port;
  }
}

/**
 * A real Redis Cluster on loopback (lambda/local/redis-cluster.mjs, as `cachedemo local
 * --shards` starts it): TLS everywhere, a password on every node. `url` is the first
 * node's, standing for the configuration endpoint; `client()` a check connection to a port.
 */
export async function startTestCluster({ shards, replicas = 0, users = [], nodeTimeoutMs = 1000 } = {}) {
  const { startCluster } = await import('../local/redis-cluster.mjs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-cluster-'));
  const certs = makeCertificates(dir);
  const password = 'cluster-test-password';
  const ports = [];
  while (ports.length < shards * (1 + replicas)) {
    const p = await freeClusterPort();
    if (!ports.includes(p)) ports.push(p);
  }
  const cluster = await startCluster({ shards, replicas, ports, dir: path.join(dir, 'nodes'), certs, password, users, nodeTimeoutMs });
  const ca = (await import('node:fs')).readFileSync(certs.ca);
  return Object.assign(cluster, {
    url: `rediss://127.0.0.1:${ports[0]}`, password, caFile: certs.ca, ca,
    client: (port = ports[0]) => RedisConnection.connect(`rediss://127.0.0.1:${port}`, { token: password, ca, commandTimeoutMs: 5000 }),
    async close() { await cluster.stop(); rmSync(dir, { recursive: true, force: true }); },
  });
}
