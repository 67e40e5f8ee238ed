// The local front answers as the deployed HTTP API does: only the stack's routes reach the
// function (any other method is API Gateway's 404), and the stage's token bucket refuses
// what goes over it (429), before the function is invoked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, throttleFromEnv } from '../local/throttle.mjs';
import { functionEnv, startFront, suiteServers } from './helpers.mjs';

/** The function's own log lines: one per invocation. */
const invocations = (front) => front.lines.filter((l) => 'cache' in l);

async function call(front, method, path, headers = {}) {
  const res = await fetch(front.url + path, { method, headers });
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, body: await res.text() };
}

describe('the local front', () => {
  const servers = suiteServers({});

  test('routes GET, HEAD and DELETE; any other method is a 404 that never reaches the function', async () => {
    const front = await startFront({ ...functionEnv(servers.redis, servers.upstream.url), MAX_INSTANCES: '1' });
    try {
      for (const method of ['POST', 'PUT', 'PATCH', 'OPTIONS']) {
        for (const path of ['/', '/people?name=ada']) {
          const r = await call(front, method, path);
          assert.deepEqual([r.status, r.type, r.body], [404, 'application/json', '{"message":"Not Found"}'], `${method} ${path}`);
        }
      }
      assert.equal(servers.upstream.calls.length, 0);
      assert.equal(front.lines.filter((l) => l.message === 'instance started').length, 0, 'the function was loaded');
      assert.deepEqual(invocations(front), []);

      const get = await call(front, 'GET', '/people?name=ada', { 'x-cachedemo-diagnostics': '1' });
      assert.equal(get.status, 200);
      assert.match(get.headers.get('x-cache-instance-copy') ?? '', /^(on|off; .+)$/, 'request headers reach the function');
      assert.equal((await call(front, 'HEAD', '/people?name=ada')).status, 200);
      // Purging is off in this front: AWS_IAM refuses it before the function.
      assert.equal((await call(front, 'DELETE', '/people?name=ada')).status, 403);
      // A route the emulator marks as AWS_IAM is checked too, whatever its method.
      assert.equal((await call(front, 'GET', '/people?name=ada', { 'x-cachedemo-route-auth': 'AWS_IAM' })).status, 403);
      assert.deepEqual(invocations(front).map((l) => l.method), ['GET', 'HEAD']);
    } finally {
      await front.stop();
    }
  });

  test('THROTTLE_BURST=N at a tiny THROTTLE_RATE: N+k requests at once get exactly k 429s, never invoked', async () => {
    const burst = 4, over = 3;
    const front = await startFront({ ...functionEnv(servers.redis, servers.upstream.url), THROTTLE_RATE: '0.001', THROTTLE_BURST: String(burst) });
    try {
      const results = await Promise.all(Array.from({ length: burst + over }, (_, i) => call(front, 'GET', `/burst?i=${i}`)));
      const refused = results.filter((r) => r.status === 429);
      assert.equal(refused.length, over);
      for (const r of refused) assert.deepEqual([r.type, r.body], ['application/json', '{"message":"Too Many Requests"}']);
      assert.equal(results.filter((r) => r.status === 200).length, burst);
      assert.equal(invocations(front).length, burst);
      assert.equal(servers.upstream.callsTo('/burst'), burst);
      // The bucket stays empty: 0.001 tokens a second.
      assert.equal((await call(front, 'GET', '/burst?i=0')).status, 429);
    } finally {
      await front.stop();
    }
  });
});

describe('the token bucket', () => {
  test('starts full, refills at the rate, never above the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    now += 499;
    assert.equal(bucket.take(), false, 'just under one token after 499 ms at 2/s');
    now += 1;
    assert.equal(bucket.take(), true);
    now += 60_000;
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  });

  test('from the environment: neither set is no throttle; both or an error', () => {
    assert.equal(throttleFromEnv({}), null);
    assert.equal(throttleFromEnv({ THROTTLE_RATE: '', THROTTLE_BURST: '' }), null);
    const bucket = throttleFromEnv({ THROTTLE_RATE: '100.0', THROTTLE_BURST: '200' });
    assert.deepEqual([bucket.rate, bucket.burst], [100, 200]);
    assert.throws(() => throttleFromEnv({ THROTTLE_RATE: '10' }), /THROTTLE_RATE is set without THROTTLE_BURST/);
    assert.throws(() => throttleFromEnv({ THROTTLE_RATE: 'x', THROTTLE_BURST: '1' }), /THROTTLE_RATE=x/);
    assert.throws(() => throttleFromEnv({ THROTTLE_RATE: '1', THROTTLE_BURST: '1.5' }), /THROTTLE_BURST=1.5/);
  });
});
