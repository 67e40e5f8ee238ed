// Internals for a smoke test, shown only when asked: a request with
// `x-cachedemo-diagnostics: 1` gets where a hit came from and whether the instance copy is
// on (and why not). API users never see them otherwise.

export const DIAGNOSTICS_HEADER = 'x-cachedemo-diagnostics';

/** API Gateway lowercases header names; anything else calling the handler may not. */
export function wantsDiagnostics(headers) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === DIAGNOSTICS_HEADER) return String(value).trim() === '1';
  }
  return false;
}

/** `x-cache-instance-copy: on` or `off; <reason>`, and `x-cache-from` on a hit. The reason
 *  is already one short line without secrets (redis.mjs oneLine). */
export function diagnosticHeaders(copy, from) {
  const headers = { 'x-cache-instance-copy': copy.on ? 'on' : `off; ${copy.reason}` };
  if (from) headers['x-cache-from'] = from;
  return headers;
}
