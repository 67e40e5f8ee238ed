// A demo upstream for `cachedemo local`: a small JSON API that takes ~100 ms to answer,
// like a real remote API, with a path that always answers 404. Like an ordinary origin it
// sends a (weak) ETag and Last-Modified and answers a matching If-None-Match with 304;
// with API_KEY set it wants that key in `x-api-key` (401 without), as key-protected APIs do.
import http from 'node:http';
import { createHash } from 'node:crypto';

const port = Number(process.env.PORT || 0);
const delayMs = Number(process.env.DELAY_MS ?? 100);
const apiKey = process.env.API_KEY;
const started = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
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
    if (apiKey && req.headers['x-api-key'] !== apiKey) {
      const body = JSON.stringify({ error: 'a valid x-api-key header is required' });
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const name = url.searchParams.get('name') ?? 'world';
    const digest = createHash('sha256').update(name).digest();
    const age = digest[0] % 80 + 18;
    // The same answer for the same name (servedAt aside): a weak validator.
    const etag = `W/"${digest.toString('hex').slice(0, 16)}"`;
    const validators = { etag, 'last-modified': started };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, validators);
      res.end();
      return;
    }
    const body = JSON.stringify({ name, age, path: url.pathname, servedAt: new Date().toISOString(), upstreamCall: served });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...validators });
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
