// Upstream secrets from SSM SecureString parameters, read by the function as it starts with a
// SigV4-signed GetParameter, against the project's AWS emulator (moto, signatures checked).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHandler } from '../src/index.mjs';
import { apiEvent, lambdaDir, memoryLog, startUpstream } from './helpers.mjs';

/** The emulator scripts/test started (CACHEDEMO_EMULATOR), or one of this file's own. */
async function emulator() {
  if (process.env.CACHEDEMO_EMULATOR) return { ...JSON.parse(process.env.CACHEDEMO_EMULATOR), stop: () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cachedemo-ssm-'));
  const state = path.join(dir, 'state.json');
  const child = spawn(path.join(lambdaDir, '..', 'scripts', 'aws-emulator'), ['--state-file', state, '--stop-on-stdin-close'],
    { stdio: ['pipe', 'ignore', 'ignore'] });
  for (let i = 0; i < 600; i++) {
    try { return { ...JSON.parse(readFileSync(state, 'utf8')), stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } }; } catch { await sleep(50); }
  }
  throw new Error('the AWS emulator did not start');
}

describe('SSM SecureString upstream secrets', () => {
  let emu, upstream;
  const name = `/cachedemo-test/${process.pid}-${Date.now()}`;
  const put = (parameter, value) => execFileSync('aws', ['ssm', 'put-parameter', '--name', parameter, '--type', 'SecureString',
    '--value', value, '--overwrite', '--endpoint-url', emu.endpoint, '--region', 'us-east-1'],
  { env: { ...process.env, AWS_ACCESS_KEY_ID: emu.accessKeyId, AWS_SECRET_ACCESS_KEY: emu.secretAccessKey } });
  const handler = (extra = {}) => {
    const log = memoryLog();
    const h = createHandler({ log, env: {
      EXTERNAL_API_URL: upstream.url, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SSM: emu.endpoint,
      AWS_ACCESS_KEY_ID: emu.accessKeyId, AWS_SECRET_ACCESS_KEY: emu.secretAccessKey,
      UPSTREAM_SECRETS: JSON.stringify([{ in: 'header', name: 'X-Api-Key', ssm: `${name}/header` }, { in: 'query', name: 'appid', ssm: `${name}/query` }]),
      ...extra } });
    h.log = log;
    return h;
  };
  before(async () => { emu = await emulator(); upstream = await startUpstream(); });
  after(async () => { await upstream.close(); emu.stop(); });

  test('a missing parameter is a 502 that names it, never a value; once it exists the next call sends it', async () => {
    const h = handler();
    const r = await h(apiEvent('/people?name=ada&appid=client-tries'));
    assert.equal(r.statusCode, 502);
    assert.match(JSON.parse(r.body).message, /credentials could not be read/);
    assert.ok(h.log.records.some((x) => /SSM parameter \/cachedemo-test\/.* could not be read: ParameterNotFound/.test(x.message ?? '')),
      JSON.stringify(h.log.records));
    assert.equal(upstream.callsTo('/people'), 0, 'the upstream is not asked without its key');
    put(`${name}/header`, 'header-secret-1');
    put(`${name}/query`, 'query secret&2');
    await sleep(1100);
    const ok = await h(apiEvent('/people?name=ada&appid=client-tries'));
    assert.equal(ok.statusCode, 200);
    const sent = upstream.requests.at(-1);
    assert.equal(sent.headers['x-api-key'], 'header-secret-1');
    assert.equal(sent.url, '/people?name=ada&appid=query%20secret%262', 'the client\'s appid dropped, the secret\'s sent');
    const logged = JSON.stringify(h.log.records);
    assert.ok(!logged.includes('header-secret-1') && !logged.includes('query secret'), 'no value in a log line');
    assert.ok(!JSON.stringify(ok.headers).includes('header-secret-1'), 'nor in the response headers');
    h.close();
  });

  test('the request is signed: a wrong secret key is refused by the emulator', async () => {
    put(`${name}/header`, 'v');
    put(`${name}/query`, 'v');
    const h = handler({ AWS_SECRET_ACCESS_KEY: 'not-the-key' });
    const r = await h(apiEvent('/people?name=bob'));
    assert.equal(r.statusCode, 502);
    assert.ok(h.log.records.some((x) => /could not be read: (InvalidSignatureException|SignatureDoesNotMatch|UnrecognizedClientException|InvalidClientTokenId)/.test(x.message ?? '')),
      JSON.stringify(h.log.records));
    h.close();
  });
});
