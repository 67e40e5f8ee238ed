// ElastiCache IAM authentication: the password is a SigV4-presigned `connect` request for
// the cache and user, made from the function role's credentials (the ones Lambda puts in
// the environment), valid for 15 minutes. Made here with node:crypto; no SDK.
import { amzDate, sha256, signature, uriEncode } from './sigv4.mjs';

/**
 * The token for `AUTH <userId> <token>`: `<cache>/?Action=connect&User=<user>&X-Amz-...`,
 * the presigned URL without its scheme, parameters in the order botocore writes them (a
 * test compares the two byte for byte). `serverless` adds ResourceType=ServerlessCache.
 */
export function iamAuthToken({ cacheName, userId, region, credentials, now = new Date(), expiresSeconds = 900, serverless = false }) {
  const host = cacheName.toLowerCase();
  const date = amzDate(now);
  const scope = `${date.slice(0, 8)}/${region}/elasticache/aws4_request`;
  const operation = [['Action', 'connect'], ['User', userId]];
  if (serverless) operation.push(['ResourceType', 'ServerlessCache']);
  const auth = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  if (credentials.sessionToken) auth.push(['X-Amz-Security-Token', credentials.sessionToken]);
  const encode = (pairs) => pairs.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`);
  const query = encode([...operation, ...auth]);
  const canonicalQuery = [...query].sort().join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}\n`, 'host', sha256('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonicalRequest)].join('\n');
  return `${host}/?${query.join('&')}&X-Amz-Signature=${signature(credentials.secretAccessKey, date, region, 'elasticache', stringToSign)}`;
}

/**
 * Tokens for new connections: one is kept while it has more than `freshForMs` of its 15
 * minutes left, so a connection never starts with a token about to lapse, and a burst of
 * reconnects signs once.
 */
export class IamTokenProvider {
  constructor({ cacheName, userId, region, credentials, serverless = false, lifetimeMs = 900_000, freshForMs = 300_000, clock = () => Date.now() }) {
    Object.assign(this, { cacheName, userId, region, credentials, serverless, lifetimeMs, freshForMs, clock });
    this.token = null;
    this.madeAt = 0;
    this.made = 0;
  }

  current() {
    const now = this.clock();
    if (!this.token || now - this.madeAt > this.lifetimeMs - this.freshForMs) {
      this.token = iamAuthToken({ cacheName: this.cacheName, userId: this.userId, region: this.region,
        credentials: this.credentials(), now: new Date(now), expiresSeconds: this.lifetimeMs / 1000, serverless: this.serverless });
      this.madeAt = now;
      this.made++;
    }
    return this.token;
  }
}
