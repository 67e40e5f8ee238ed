// --egress ipv6: the function must connect to the upstream's IPv6 address first, since its
// subnets have no IPv4 route out. A name with both addresses is made in a private mount
// namespace (its own /etc/hosts, and an /etc/gai.conf that ranks IPv4 first, as resolvers
// often do), and two real servers share one port: one on 127.0.0.1, one on ::1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { lambdaDir } from './helpers.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-ipv6-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function serve(host, port, answer) {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ via: answer }));
    });
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

const v4 = await serve('127.0.0.1', 0, 'ipv4');
const port = v4.address().port;
const v6 = await serve('::1', port, 'ipv6');
after(() => { v4.close(); v6.close(); });

writeFileSync(path.join(dir, 'hosts'), '127.0.0.1 localhost\n127.0.0.1 dual.test\n::1 dual.test\n');
writeFileSync(path.join(dir, 'gai.conf'), 'precedence ::ffff:0:0/96 100\n');
// One request through the handler, in a process that sees the test's /etc/hosts and gai.conf.
writeFileSync(path.join(dir, 'call.mjs'), `
  const { createHandler } = await import(${JSON.stringify(path.join(lambdaDir, 'src/index.mjs'))});
  const handler = createHandler({ log: () => {} });
  const res = await handler({ version: '2.0', rawPath: '/who', rawQueryString: '', headers: {},
    requestContext: { http: { method: 'GET', path: '/who' } } });
  process.stdout.write(res.body);
  process.exit(0);
`);

// Asynchronously: the two servers answer from this process's event loop.
async function viaWith(extraEnv) {
  const script = `mount --bind '${dir}/hosts' /etc/hosts && mount --bind '${dir}/gai.conf' /etc/gai.conf && exec "$0" "$1"`;
  const { stdout: out } = await promisify(execFile)('unshare', ['--mount', 'sh', '-c', script, process.execPath, path.join(dir, 'call.mjs')], {
    env: { PATH: process.env.PATH, EXTERNAL_API_URL: `http://dual.test:${port}`, ...extraEnv },
    encoding: 'utf8',
  });
  return JSON.parse(out).via;
}

test('the resolver of this namespace ranks IPv4 first (what the function must overcome)', async () => {
  assert.equal(await viaWith({}), 'ipv4');
});

test('UPSTREAM_PREFER_IPV6=1 (the ipv6 egress mode) connects to the IPv6 address first', async () => {
  assert.equal(await viaWith({ UPSTREAM_PREFER_IPV6: '1' }), 'ipv6');
});
