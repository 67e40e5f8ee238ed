// The IAM auth token against an independent implementation: botocore's SigV4QueryAuth on the
// same inputs, byte for byte, over generated credentials (with and without a session token),
// regions, cache and user names, times, and both cache kinds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { IamTokenProvider, iamAuthToken } from '../src/iam-auth.mjs';
import { RedisClient } from '../src/redis.mjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiEvent, handlerFor, suiteServers } from './helpers.mjs';

const BOTOCORE = `
import json, sys, datetime
from unittest import mock
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
out = []
for c in json.load(sys.stdin):
    params = {"Action": "connect", "User": c["userId"]}
    if c["serverless"]:
        params["ResourceType"] = "ServerlessCache"
    request = AWSRequest(method="GET", url="http://" + c["cacheName"].lower() + "/", params=params)
    creds = Credentials(c["accessKeyId"], c["secretAccessKey"], c.get("sessionToken"))
    now = datetime.datetime.fromtimestamp(c["epochMs"] / 1000, datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        SigV4QueryAuth(creds, "elasticache", c["region"], expires=900).add_auth(request)
    out.append(request.prepare().url.removeprefix("http://"))
print(json.dumps(out))
`;

function cases(n) {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const word = (alphabet, len) => Array.from({ length: len }, () => pick(alphabet)).join('');
  const lower = 'abcdefghijklmnopqrstuvwxyz0123456789', mixed = lower + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from({ length: n }, (_, i) => ({
    cacheName: pick(['cachedemo-prod', 'Cache-MixedCase-1', word(lower, 1 + Math.floor(rnd() * 40))]),
    userId: pick(['cachedemo-app', 'default', word(lower, 1 + Math.floor(rnd() * 30))]),
    region: pick(['us-east-1', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1']),
    accessKeyId: (i % 2 ? 'ASIA' : 'AKIA') + word(mixed.toUpperCase(), 16),
    secretAccessKey: word(mixed + '/+', 40),
    sessionToken: i % 3 === 0 ? undefined : word(mixed + '/+=', 20 + Math.floor(rnd() * 300)),
    epochMs: Date.UTC(2020, 0, 1) + Math.floor(rnd() * 2e11 / 1000) * 1000,
    serverless: i % 4 === 0,
  }));
}

test('the token is what botocore presigns, byte for byte, over 300 generated inputs', () => {
  const inputs = cases(300);
  const expected = JSON.parse(execFileSync('python3', ['-c', BOTOCORE], { input: JSON.stringify(inputs) }).toString());
  assert.equal(expected.length, inputs.length);
  inputs.forEach((c, i) => {
    const token = iamAuthToken({
      cacheName: c.cacheName, userId: c.userId, region: c.region, serverless: c.serverless, now: new Date(c.epochMs),
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    });
    assert.equal(token, expected[i], `case ${i}: ${JSON.stringify(c)}`);
  });
});

test('the token names the cache in lowercase, the user, 15 minutes, and the session token', () => {
  const token = iamAuthToken({ cacheName: 'My-Cache', userId: 'app', region: 'eu-west-1', now: new Date(Date.UTC(2026, 11, 1, 15)),
    credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's', sessionToken: 't/+=' } });
  assert.match(token, /^my-cache\/\?Action=connect&User=app&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20261201%2Feu-west-1%2Felasticache%2Faws4_request&X-Amz-Date=20261201T150000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=t%2F%2B%3D&X-Amz-Signature=[0-9a-f]{64}$/);
});

test('a token is reused while it has more than five minutes left, then made anew', () => {
  let now = Date.UTC(2026, 11, 1);
  let reads = 0;
  const provider = new IamTokenProvider({ cacheName: 'c', userId: 'u', region: 'us-east-1', clock: () => now,
    credentials: () => { reads++; return { accessKeyId: 'AKIA', secretAccessKey: 's' }; } });
  const first = provider.current();
  now += 9 * 60_000;
  assert.equal(provider.current(), first, 'reused with six minutes left');
  now += 2 * 60_000;
  const second = provider.current();
  assert.notEqual(second, first, 'made anew with four minutes left');
  assert.equal(provider.made, 2);
  assert.equal(reads, 2, 'the credentials are read for each new token (a refreshed role is picked up)');
});

describe('a handler with REDIS_AUTH_MODE=iam, against a real redis-server', () => {
  const servers = suiteServers({});
  const iamEnv = (extra = {}) => ({ REDIS_AUTH_TOKEN: '', REDIS_AUTH_MODE: 'iam', REDIS_IAM_CACHE_NAME: 'cachedemo-test', REDIS_USERNAME: 'app', AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session', ...extra });

  test('it authenticates as the user with a token and caches', async () => {
    // The server cannot check SigV4; a user without a password stands for one that accepts IAM.
    await servers.check.command(['ACL', 'SETUSER', 'app', 'on', 'nopass', '~*', '+@all']);
    const h = handlerFor(servers.redis, servers.upstream, iamEnv());
    servers.handlers.push(h);
    assert.equal((await h(apiEvent('/iam'))).headers['x-cache'], 'MISS');
    assert.equal((await h(apiEvent('/iam'))).headers['x-cache'], 'HIT');
    const clients = (await servers.check.command(['CLIENT', 'LIST'])).toString();
    assert.match(clients, /user=app /, 'a connection authenticated as the IAM user');
  });

  test('a refused token is a BYPASS from the upstream and a logged error, never a crash', async () => {
    await servers.check.command(['ACL', 'SETUSER', 'locked', 'on', '>only-this-password-works', '~*', '+@all']);
    const h = handlerFor(servers.redis, servers.upstream, iamEnv({ REDIS_USERNAME: 'locked' }));
    const lines = h.log.records;
    servers.handlers.push(h);
    // The connection the handler opened at creation is refused (a first miss may not wait for it).
    assert.equal(await h.redis.open(), false);
    const r = await h(apiEvent('/refused'));
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-cache'], 'BYPASS');
    assert.ok(lines.some((l) => l.level === 'warn' && /WRONGPASS|invalid/i.test(l.message)), JSON.stringify(lines));
  });

  test('a long-lived connection authenticates again with a fresh token before the limit', async () => {
    await servers.check.command(['ACL', 'SETUSER', 'app', 'on', 'nopass', '~*', '+@all']);
    let tokens = 0;
    const client = new RedisClient(servers.redis.url, { ca: servers.redis.ca, username: 'app', reauthMs: 40,
      token: () => { tokens++; return `token-${tokens}`; } });
    try {
      await client.command(['PING']);
      await sleep(250);
      assert.ok(client.reauths >= 3, `re-authenticated ${client.reauths} times`);
      assert.equal(tokens, client.reauths + 1, 'each AUTH with a token of its own');
      assert.equal(client.connects, 1, 'on the same connection');
      assert.equal(await client.command(['PING']), 'PONG');
    } finally {
      client.close();
    }
  });
});
