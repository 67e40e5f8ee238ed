// The upstream's credentials (`--upstream-secret`, `--upstream-secret-query`): values the
// stack resolved into the environment (Secrets Manager dynamic references) and SSM
// SecureString parameters, read once as the instance starts with the role's credentials
// (a signed GetParameter; IAM allows exactly those parameters). No value is ever logged.
import { signedHeaders } from './sigv4.mjs';

/** A failed read is tried again on a later request, at most this often. */
const RETRY_MS = 1000;

/** GetParameter WithDecryption, signed with SigV4; the value, or an error naming the
 *  parameter and AWS's error code (never the value). */
export async function getParameter(name, { region, credentials, endpoint, fetchImpl = globalThis.fetch, timeoutMs = 3000 }) {
  const url = new URL(endpoint || `https://ssm.${region}.amazonaws.com/`);
  const body = JSON.stringify({ Name: name, WithDecryption: true });
  const headers = signedHeaders({ method: 'POST', url, body, region, service: 'ssm', credentials,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' } });
  const res = await fetchImpl(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let doc = null;
  try { doc = JSON.parse(text); } catch { /* an XML error (the signature refused) */ }
  if (!res.ok || typeof doc?.Parameter?.Value !== 'string') {
    // AWS's error code only: JSON's __type, or an XML error's <Code>.
    const code = String(doc?.__type ?? /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`).split('#').pop();
    throw new Error(`SSM parameter ${name} could not be read: ${code}`);
  }
  return doc.Parameter.Value;
}

export class UpstreamSecrets {
  #resolved = null;
  #pending = null;
  #failedAt = 0;
  #error = null;

  /** `secrets` is config.upstreamSecrets: { headers, query, ssm: [{ in, name, parameter }] }. */
  constructor(secrets, { region, credentials, endpoint, fetchImpl }) {
    this.secrets = secrets;
    this.read = (name) => getParameter(name, { region, credentials: credentials(), endpoint, fetchImpl });
    if (secrets.ssm.length === 0) this.#resolved = { headers: secrets.headers, query: secrets.query };
  }

  /** Every query parameter a secret sets: kept out of the key, a client's own dropped. */
  get queryNames() {
    return [...this.secrets.query.map(([name]) => name), ...this.secrets.ssm.filter((s) => s.in === 'query').map((s) => s.name)];
  }

  /** Starts reading (the instance's init); `current()` waits for it. */
  start() {
    if (!this.#resolved && !this.#pending) {
      this.#pending = this.#readAll().then((r) => { this.#resolved = r; }, (err) => {
        this.#error = err;
        this.#failedAt = Date.now();
      }).finally(() => { this.#pending = null; });
    }
    return this.#pending;
  }

  /** { headers, query } to add to an upstream call; throws when SSM could not be read. */
  async current() {
    if (this.#resolved) return this.#resolved;
    if (!this.#pending && Date.now() - this.#failedAt >= RETRY_MS) this.start();
    if (this.#pending) await this.#pending;
    if (this.#resolved) return this.#resolved;
    throw this.#error;
  }

  async #readAll() {
    const headers = { ...this.secrets.headers };
    const query = [...this.secrets.query];
    const values = await Promise.all(this.secrets.ssm.map((s) => this.read(s.parameter)));
    this.secrets.ssm.forEach((s, i) => {
      if (s.in === 'header') headers[s.name.toLowerCase()] = values[i];
      else query.push([s.name, values[i]]);
    });
    return { headers, query };
  }
}
