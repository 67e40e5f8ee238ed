// Checks an ElastiCache IAM auth token the way ElastiCache does before it admits a user:
// the signature (recomputed with the key pair that should have signed it), the scope, the
// time window, the cache and the user. `cachedemo local --cache-auth iam` runs it in front
// of redis-server, with the per-run key pair the local purge route uses.
import { timingSafeEqual } from 'node:crypto';
import { iamAuthToken } from '../src/iam-auth.mjs';

/** Why a token is refused, or null when it is good. */
export function verifyIamToken(token, { user, cacheName, region, credentials, now = new Date(), skewMs = 5 * 60_000 }) {
  const slash = token.indexOf('/?');
  if (slash < 0) return 'not an IAM auth token';
  const host = token.slice(0, slash);
  const params = new URLSearchParams(token.slice(slash + 2));
  const get = (k) => params.get(k) ?? '';
  if (host !== cacheName.toLowerCase()) return `the token is for cache ${host}, not ${cacheName.toLowerCase()}`;
  if (get('Action') !== 'connect') return 'the token is not for Action=connect';
  if (get('User') !== user) return `the token is for user ${get('User')}, not ${user}`;
  const [keyId, day, tokenRegion, service] = get('X-Amz-Credential').split('/');
  if (keyId !== credentials.accessKeyId) return 'the token is signed with another access key';
  if (tokenRegion !== region || service !== 'elasticache') return `the token's scope is ${tokenRegion}/${service}`;
  const date = get('X-Amz-Date');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m || day !== date.slice(0, 8)) return 'the token has no valid X-Amz-Date';
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const expires = Number(get('X-Amz-Expires'));
  if (!(expires > 0 && expires <= 900)) return 'the token lives more than 15 minutes';
  if (signedAt > now.getTime() + skewMs) return 'the token is signed in the future';
  if (now.getTime() > signedAt + expires * 1000) return 'the token has expired';
  const expected = iamAuthToken({ cacheName, userId: user, region, now: new Date(signedAt), expiresSeconds: expires,
    serverless: params.has('ResourceType'),
    credentials: { ...credentials, sessionToken: params.get('X-Amz-Security-Token') ?? undefined } });
  const a = Buffer.from(token), b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? null : 'the token signature does not match';
}
