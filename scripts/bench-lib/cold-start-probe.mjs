// One cold start, in the fresh process this runs in: load the function in `dir` (as Lambda's
// init does), then two requests for `key` (on a new key, a miss and a hit). Imports nothing
// of the function's before the measured load. Prints one JSON line, last.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, key] = process.argv.slice(2);
const event = (requestId) => ({
  version: '2.0', routeKey: 'GET /{proxy+}', rawPath: '/', rawQueryString: `name=${key}`, headers: {},
  requestContext: { requestId, http: { method: 'GET', path: '/' } }, isBase64Encoded: false,
});
const ms = (t0) => +(performance.now() - t0).toFixed(2);

let t0 = performance.now();
const { handler } = await import(pathToFileURL(path.join(dir, 'index.mjs')).href);
const moduleLoadMs = ms(t0);
t0 = performance.now();
const first = await handler(event('first'), {});
const firstMs = ms(t0);
t0 = performance.now();
const second = await handler(event('second'), {});
const secondMs = ms(t0);
console.log(JSON.stringify({ moduleLoadMs, firstMs, secondMs, first: first.headers['x-cache'], second: second.headers['x-cache'] }));
process.exit(0);
