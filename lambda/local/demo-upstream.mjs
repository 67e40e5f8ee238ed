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
  const answer = () => {
    if (url.pathname.startsWith('/missing')) {
      const body = JSON.stringify({ error: 'not found', path: url.pathname });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const name = url.searchParams.get('name') ?? 'world';
    const age = createHash('sha256').update(name).digest()[0] % 80 + 18;
    const body = JSON.stringify({ name, age, path: url.pathname, servedAt: new Date().toISOString(), upstreamCall: served });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (delayMs > 0) setTimeout(answer, delayMs); else answer();
});

server.listen(port, process.env.HOST || '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ level: 'info', message: 'listening', port: server.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
