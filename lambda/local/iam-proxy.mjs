// `cachedemo local --cache-auth iam`: ElastiCache's side of IAM authentication, in front of
// redis-server. A connection's first command must be `AUTH <user> <token>` with a token the
// per-run key pair signed for this cache and user, unexpired (iam-verify.mjs); then the
// proxy authenticates to redis-server with its own password and passes bytes both ways.
// A refused token gets ElastiCache's WRONGPASS and the connection closes.
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { ReplyParser, encodeCommand } from '../src/redis.mjs';
import { verifyIamToken } from './iam-verify.mjs';

const env = process.env;
const expected = {
  user: env.IAM_USER, cacheName: env.IAM_CACHE_NAME, region: env.IAM_REGION,
  credentials: { accessKeyId: env.IAM_ACCESS_KEY_ID, secretAccessKey: env.IAM_SECRET_ACCESS_KEY },
};
const log = (record) => process.stdout.write(JSON.stringify({ level: 'info', ...record }) + '\n');

const server = tls.createServer({ cert: readFileSync(env.TLS_CERT_FILE), key: readFileSync(env.TLS_KEY_FILE) }, (client) => {
  client.on('error', () => {});
  client.setNoDelay(true);  // small replies at once, not held back by Nagle against a delayed ACK
  const parser = new ReplyParser();
  let buffered = Buffer.alloc(0);
  const onData = (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    let first;
    try {
      [first] = parser.feed(chunk);
    } catch {
      client.end('-ERR protocol error\r\n');
      return;
    }
    if (first === undefined) return;  // the first command is not complete yet
    client.off('data', onData);
    client.pause();  // what arrives before redis-server is reached waits; the pipe resumes it
    const args = Array.isArray(first) ? first.map(String) : [];
    const reason = args[0]?.toUpperCase() !== 'AUTH' || args.length !== 3
      ? 'the first command must be AUTH <user> <token>'
      : args[1] !== expected.user ? `user ${args[1]} is not ${expected.user}` : verifyIamToken(args[2], expected);
    if (reason) {
      log({ level: 'warn', message: `IAM auth refused: ${reason}` });
      client.end('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
      return;
    }
    // What followed AUTH in the same write (HELLO, CLIENT TRACKING) goes on to redis-server.
    const rest = buffered.subarray(encodeCommand(first.map((a) => Buffer.isBuffer(a) ? a : String(a))).length);
    const upstream = tls.connect({ host: '127.0.0.1', port: Number(env.REDIS_PORT), ca: readFileSync(env.REDIS_CA_FILE) }, () => {
      let head = Buffer.alloc(0);
      const dropOwnAuth = (data) => {
        // The first reply (one line: +OK or -ERR) answers our own AUTH: the client already has
        // its +OK. Whatever follows it is the client's, passed on as it came.
        head = Buffer.concat([head, data]);
        const eol = head.indexOf('\r\n');
        if (eol < 0) return;
        upstream.off('data', dropOwnAuth);
        if (head[0] !== 0x2b) { client.end('-ERR the cache refused the proxy\r\n'); return; }
        if (head.length > eol + 2) client.write(head.subarray(eol + 2));
        upstream.pipe(client);
      };
      upstream.on('data', dropOwnAuth);
      client.write('+OK\r\n');
      upstream.write(Buffer.concat([encodeCommand(['AUTH', env.REDIS_PASSWORD]), rest]));
      client.pipe(upstream);
    });
    upstream.setNoDelay(true);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  client.on('data', onData);
});

server.listen(Number(env.PORT || 0), '127.0.0.1', () => log({ message: 'listening', port: server.address().port }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
