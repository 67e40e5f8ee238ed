// A demo upstream for `cachedemo local`: a small JSON API that takes ~100 ms to answer,
// like a real remote API, with a path that always answers 404.
import http from 'node:http';
import { createHash } from 'node:crypto';

const port = Number(process.env.PORT || 0);
const delayMs = Number(process.env.DELAY_MS ?? 100);
let served = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://local');
  served++;
  setTimeout(() => {
    if (url.pathname.startsWith('/missing')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found', path: url.pathname }));
      return;
    }
    const name = url.searchParams.get('name') ?? 'world';
    const age = createHash('sha256').update(name).digest()[0] % 80 + 18;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ name, age, path: url.pathname, servedAt: new Date().toISOString(), upstreamCall: served }));
  }, delayMs);
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ level: 'info', message: 'listening', port: server.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
