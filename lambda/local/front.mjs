// A local stand-in for API Gateway (HTTP API, payload 2.0) in front of the unzipped
// function: each request becomes an event, each result an HTTP response. Like the
// deployed API it routes GET, HEAD and DELETE (on / and /{proxy+}) and answers any other
// method 404, throttles with the stage's token bucket, and checks a purge's SigV4 as
// AWS_IAM does. Like Lambda, an instance serves one invocation at a time; more instances
// start when all are busy.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { verifySigV4 } from './sigv4-verify.mjs';
import { throttleFromEnv } from './throttle.mjs';

const functionDir = process.env.FUNCTION_DIR;
const port = Number(process.env.PORT || 0);
const maxInstances = Number(process.env.MAX_INSTANCES || 10);
const timeoutMs = Number(process.env.FUNCTION_TIMEOUT_SECONDS || 10) * 1000;
const entry = pathToFileURL(path.join(functionDir, 'index.mjs')).href;
/** The stack's routes: every path, with these methods; anything else is unrouted. */
const ROUTED_METHODS = new Set(['GET', 'HEAD', 'DELETE']);
/** The stage's throttle (THROTTLE_RATE, THROTTLE_BURST); none when neither is set. */
const throttle = throttleFromEnv(process.env);
/** Purges need a SigV4 signature with this run's key pair, as AWS_IAM routes need IAM. */
const purgeCredentials = {
  accessKeyId: process.env.PURGE_ACCESS_KEY_ID,
  secretAccessKey: process.env.PURGE_SECRET_ACCESS_KEY,
  region: process.env.PURGE_REGION || 'us-east-1',
};

/** Each instance imports its own copy of index.mjs (a distinct URL), so state is per instance. */
const idle = [];
const waiting = [];
let started = 0;

async function acquire() {
  if (idle.length) return idle.pop();
  if (started < maxInstances) {
    started++;
    const t0 = performance.now();
    const mod = await import(`${entry}?instance=${started}`);
    const initMs = +(performance.now() - t0).toFixed(3);
    process.stdout.write(JSON.stringify({ level: 'info', message: 'instance started', instance: started, initMs }) + '\n');
    return { handler: mod.handler, id: started };
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(instance) {
  const next = waiting.shift();
  if (next) next(instance); else idle.push(instance);
}

function toEvent(req, body, requestId) {
  const url = new URL(req.url, 'http://local');
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const cookies = req.headers.cookie ? req.headers.cookie.split(/;\s*/) : undefined;
  const rawQueryString = url.search.slice(1);
  const now = new Date();
  const event = {
    version: '2.0', routeKey: '$default', rawPath: url.pathname, rawQueryString, headers,
    requestContext: {
      accountId: 'local', apiId: 'local', domainName: req.headers.host ?? 'localhost', stage: '$default',
      requestId, routeKey: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
      http: { method: req.method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress, userAgent: req.headers['user-agent'] ?? '' },
    },
    isBase64Encoded: false,
  };
  if (cookies) event.cookies = cookies;
  if (rawQueryString) {
    event.queryStringParameters = {};
    for (const [k, v] of url.searchParams) {
      event.queryStringParameters[k] = k in event.queryStringParameters ? `${event.queryStringParameters[k]},${v}` : v;
    }
  }
  if (body.length) {
    const textual = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/.test(headers['content-type'] ?? '');
    event.body = textual ? body.toString('utf8') : body.toString('base64');
    event.isBase64Encoded = !textual;
  }
  return event;
}

/** API Gateway's own JSON answers (unrouted, throttled, forbidden, failed): the function never sees them. */
function sendGatewayError(res, statusCode, body, requestId) {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'apigw-requestid': requestId });
  res.end(text);
}

/** Payload 2.0 responses: an object with statusCode, or anything else as a JSON 200. */
function send(res, result, requestId) {
  res.setHeader('apigw-requestid', requestId);
  if (!result || typeof result !== 'object' || !('statusCode' in result)) {
    const body = Buffer.from(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return;
  }
  const headers = { ...(result.headers ?? {}) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? Buffer.alloc(0)
    : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (!('content-length' in headers)) headers['content-length'] = body.length;
  res.writeHead(result.statusCode, headers);
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const requestId = randomUUID();
    if (!ROUTED_METHODS.has(req.method)) return sendGatewayError(res, 404, { message: 'Not Found' }, requestId);
    if (throttle && !throttle.take()) return sendGatewayError(res, 429, { message: 'Too Many Requests' }, requestId);
    // The stack's AWS_IAM routes are its DELETE routes; the emulator, which routes by the
    // deployed API's own table, also marks any other route that needs IAM.
    if (req.method === 'DELETE' || req.headers['x-cachedemo-route-auth'] === 'AWS_IAM') {
      const reason = purgeCredentials.accessKeyId
        ? verifySigV4({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) }, purgeCredentials)
        : 'purging is not enabled';
      if (reason) return sendGatewayError(res, 403, { message: 'Forbidden', reason }, requestId);
    }
    const instance = await acquire();
    const deadline = Date.now() + timeoutMs;
    const context = { awsRequestId: requestId, functionName: 'cachedemo-local', getRemainingTimeInMillis: () => deadline - Date.now() };
    let timer;
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('Task timed out'), { timeout: true })), timeoutMs);
      });
      const result = await Promise.race([instance.handler(toEvent(req, Buffer.concat(chunks), requestId), context), timeout]);
      send(res, result, requestId);
    } catch (err) {
      process.stdout.write(JSON.stringify({ level: 'error', requestId, message: err.message }) + '\n');
      sendGatewayError(res, err.timeout ? 503 : 500, { message: err.timeout ? 'Service Unavailable' : 'Internal Server Error' }, requestId);
    } finally {
      clearTimeout(timer);
      release(instance);
    }
  });
});
server.keepAliveTimeout = 30_000;

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ level: 'info', message: 'listening', port: server.address().port }) + '\n');
});

// The parent closes our stdin when it stops (or dies): stop with it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
