// The local front's stand-in for an HTTP API stage's throttle: API Gateway's token bucket,
// `burst` tokens, refilled at `rate` per second; a request takes one or is refused (429).

export class TokenBucket {
  constructor(rate, burst, now = () => performance.now()) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.now = now;
    this.last = now();
  }

  /** Takes a token if there is one: whether the request may go on. */
  take() {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * THROTTLE_RATE (requests per second) and THROTTLE_BURST, both or neither: neither means no
 * throttle (`cachedemo local` always sets both, as the stack sets the stage's).
 */
export function throttleFromEnv(env) {
  const set = ['THROTTLE_RATE', 'THROTTLE_BURST'].filter((name) => (env[name] ?? '') !== '');
  if (set.length === 0) return null;
  if (set.length === 1) throw new Error(`${set[0]} is set without ${set[0] === 'THROTTLE_RATE' ? 'THROTTLE_BURST' : 'THROTTLE_RATE'}`);
  const rate = Number(env.THROTTLE_RATE), burst = Number(env.THROTTLE_BURST);
  if (!(Number.isFinite(rate) && rate >= 0)) throw new Error(`THROTTLE_RATE=${env.THROTTLE_RATE} is not a number >= 0`);
  if (!(Number.isInteger(burst) && burst >= 0)) throw new Error(`THROTTLE_BURST=${env.THROTTLE_BURST} is not a whole number >= 0`);
  return new TokenBucket(rate, burst);
}
