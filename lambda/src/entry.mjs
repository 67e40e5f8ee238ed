// How a response is stored: one JSON header line, a newline, then the body bytes as
// they came, so binary bodies cost nothing extra in Redis.

export function encodeEntry({ status, contentType, body, storedAt }) {
  const head = JSON.stringify({ s: status, ct: contentType ?? null, t: storedAt });
  return Buffer.concat([Buffer.from(head + '\n'), body]);
}

export function decodeEntry(buf) {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return null;
  try {
    const head = JSON.parse(buf.toString('utf8', 0, nl));
    return { status: head.s, contentType: head.ct, storedAt: head.t, body: buf.subarray(nl + 1) };
  } catch {
    return null;
  }
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** API Gateway carries text as is and anything else as base64. */
export function isTextual(contentType) {
  return !contentType || TEXTUAL.test(contentType);
}
