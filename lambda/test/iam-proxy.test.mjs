// `cachedemo local --cache-auth iam`'s check of IAM tokens, in front of a real redis-server:
// a good token admits the connection (the handler caches through it); an expired, wrongly
// signed or wrong-user token is refused before anything reaches redis-server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { iamAuthToken } from '../src/iam-auth.mjs';
import { RedisConnection } from '../src/redis.mjs';
import { verifyIamToken } from '../local/iam-verify.mjs';
import { apiEvent, freePort, handlerFor, lambdaDir, startRedis, startUpstream } from './helpers.mjs';

const keys = { accessKeyId: 'LOCALKEY', secretAccessKey: 'local-secret' };
const expected = { user: 'app', cacheName: 'cachedemo-local', region: 'us-east-1', credentials: keys };
const token = (over = {}) => iamAuthToken({ cacheName: 'cachedemo-local', userId: 'app', region: 'us-east-1', credentials: keys, ...over });

test('the checks: signature, user, cache, scope, expiry', () => {
  const now = new Date();
  assert.equal(verifyIamToken(token({ now }), { ...expected, now }), null);
  assert.match(verifyIamToken(token({ now: new Date(now - 16 * 60_000) }), { ...expected, now }), /expired/);
  assert.match(verifyIamToken(token({ credentials: { ...keys, secretAccessKey: 'other' } }), expected), /signature/);
  assert.match(verifyIamToken(token({ userId: 'intruder' }), expected), /user intruder/);
  assert.match(verifyIamToken(token({ cacheName: 'other-cache' }), expected), /cache other-cache/);
  assert.match(verifyIamToken(token({ region: 'eu-west-1' }), expected), /scope/);
  assert.match(verifyIamToken(token({ credentials: { ...keys, accessKeyId: 'OTHER' } }), expected), /another access key/);
  assert.match(verifyIamToken('password', expected), /not an IAM auth token/);
  const tampered = token({ now }).replace('User=app', 'User=app&X=1');
  assert.match(verifyIamToken(tampered, { ...expected, now }), /signature/);
});

describe('the proxy in front of redis-server', () => {
  let redis, upstream, proxy, port;
  before(async () => {
    redis = await startRedis({ tls: true, password: 'redis-own-password' });
    upstream = await startUpstream();
    port = await freePort();
    const dir = path.dirname(redis.caFile);
    proxy = spawn(process.execPath, [path.join(lambdaDir, 'local', 'iam-proxy.mjs')], {
      env: { PATH: process.env.PATH, PORT: String(port), TLS_CERT_FILE: path.join(dir, 'server.pem'),
        TLS_KEY_FILE: path.join(dir, 'server.key'), REDIS_PORT: String(redis.port), REDIS_CA_FILE: redis.caFile,
        REDIS_PASSWORD: 'redis-own-password', IAM_USER: 'app', IAM_CACHE_NAME: 'cachedemo-local', IAM_REGION: 'us-east-1',
        IAM_ACCESS_KEY_ID: keys.accessKeyId, IAM_SECRET_ACCESS_KEY: keys.secretAccessKey },
      stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((resolve) => proxy.stdout.once('data', resolve));
  });
  after(async () => {
    proxy?.kill();
    await upstream?.close();
    await redis?.close();
  });

  const connect = (t) => RedisConnection.connect(`rediss://127.0.0.1:${port}`, { token: t, username: 'app', ca: redis.ca,
    tracking: true, commandTimeoutMs: 2000 });

  test('a good token is admitted, with the handshake pipelined behind it', async () => {
    const conn = await connect(token());
    assert.equal(conn.tracking, true, 'HELLO 3 and CLIENT TRACKING went through after AUTH');
    assert.equal(await conn.command(['PING']), 'PONG');
    conn.close();
  });

  for (const [name, bad] of [['expired', () => token({ now: new Date(Date.now() - 20 * 60_000) })],
    ['wrongly signed', () => token({ credentials: { ...keys, secretAccessKey: 'guess' } })],
    ['for another user', () => token({ userId: 'other' })]]) {
    test(`a token ${name} is refused with WRONGPASS`, async () => {
      await assert.rejects(connect(bad()), /WRONGPASS/);
    });
  }

  test('the handler with REDIS_AUTH_MODE=iam caches through it', async () => {
    const h = handlerFor({ url: `rediss://127.0.0.1:${port}`, caFile: redis.caFile }, upstream, {
      REDIS_AUTH_TOKEN: '', REDIS_AUTH_MODE: 'iam', REDIS_IAM_CACHE_NAME: 'cachedemo-local', REDIS_USERNAME: 'app',
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    try {
      await h.redis.open();
      assert.equal((await h(apiEvent('/through-the-proxy'))).headers['x-cache'], 'MISS');
      assert.equal((await h(apiEvent('/through-the-proxy'))).headers['x-cache'], 'HIT');
    } finally {
      h.close();
    }
  });
});
