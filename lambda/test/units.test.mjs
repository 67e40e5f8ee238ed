// Pure pieces: RESP encoding and parsing, key normalization, the upstream URL, entries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PushMessage, ReplyParser, RedisError, encodeCommand } from '../src/redis.mjs';
import { cacheKey, globEscape, normalizePath, normalizeQuery } from '../src/key.mjs';
import { upstreamURL } from '../src/upstream.mjs';
import { decodeEntry, encodeEntry, isTextual } from '../src/entry.mjs';

describe('RESP', () => {
  test('commands are arrays of bulk strings, binary-safe', () => {
    assert.equal(encodeCommand(['SET', 'k', 'v\r\n']).toString(), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n');
    assert.equal(encodeCommand(['EX', 60]).toString(), '*2\r\n$2\r\nEX\r\n$2\r\n60\r\n');
  });

  test('replies split across chunks at every byte are parsed the same', () => {
    const wire = Buffer.from('+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*2\r\n$1\r\na\r\n:7\r\n');
    for (let cut = 0; cut <= wire.length; cut++) {
      const p = new ReplyParser();
      const replies = [...p.feed(wire.subarray(0, cut)), ...p.feed(wire.subarray(cut))];
      assert.equal(replies.length, 6, `cut at ${cut}`);
      assert.equal(replies[0], 'OK');
      assert.ok(replies[1] instanceof RedisError);
      assert.equal(replies[1].message, 'ERR bad');
      assert.equal(replies[2], 42);
      assert.equal(replies[3].toString(), 'he\r\nl');
      assert.equal(replies[4], null);
      assert.deepEqual([replies[5][0].toString(), replies[5][1]], ['a', 7]);
    }
  });

  test('RESP3 types, split at every byte: null, boolean, double, map, set, verbatim, blob error, attributes, push', () => {
    const wire = Buffer.from('_\r\n#t\r\n,-inf\r\n,1.5\r\n%1\r\n+proto\r\n:3\r\n~2\r\n:1\r\n:2\r\n'
      + '=9\r\ntxt:hello\r\n!7\r\nERR bad\r\n|1\r\n+ttl\r\n:5\r\n$1\r\nv\r\n'
      + '>2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n');
    for (let cut = 0; cut <= wire.length; cut++) {
      const p = new ReplyParser();
      const r = [...p.feed(wire.subarray(0, cut)), ...p.feed(wire.subarray(cut))];
      assert.equal(r.length, 11, `cut at ${cut}`);
      assert.deepEqual(r.slice(0, 4), [null, true, -Infinity, 1.5]);
      assert.deepEqual([...r[4]], [['proto', 3]]);
      assert.deepEqual(r[5], [1, 2]);
      assert.equal(r[6], 'hello');
      assert.ok(r[7] instanceof RedisError);
      assert.equal(r[7].message, 'ERR bad');
      assert.equal(r[8].toString(), 'v', 'attributes are read past, the reply they annotate kept');
      assert.ok(r[9] instanceof PushMessage);
      assert.deepEqual(r[9].items.map(String), ['invalidate', 'key']);
      assert.deepEqual(r[10].items, [Buffer.from('invalidate'), null], 'a flush invalidates every key');
    }
  });
});

describe('cache key', () => {
  test('paths are normalized', () => {
    assert.equal(normalizePath('//a/./b/../c'), '/a/c');
    assert.equal(normalizePath('/a/b/'), '/a/b/');
    assert.equal(normalizePath(''), '/');
    assert.equal(normalizePath('/../..'), '/');
  });

  test('queries are sorted by key then value, repeated keys kept', () => {
    assert.equal(normalizeQuery('b=2&a=1'), 'a=1&b=2');
    assert.equal(normalizeQuery('a=2&a=1&b='), 'a=1&a=2&b=');
    assert.equal(normalizeQuery('name=J%C3%BCrgen&x=a+b'), 'name=J%C3%BCrgen&x=a+b');
    assert.equal(normalizeQuery(''), '');
  });

  test('keys are namespaced and versioned; HEAD shares GET', () => {
    const get = cacheKey({ namespace: 'ns', method: 'GET', path: '/p', query: 'b=1&a=2' });
    assert.equal(get, 'ns:v2:0:GET:/p?a=2&b=1');
    assert.equal(cacheKey({ namespace: 'ns', version: '7', method: 'DELETE', path: '/p', query: '' }), 'ns:v2:7:GET:/p');
    assert.equal(cacheKey({ namespace: 'ns', method: 'HEAD', path: '/p', query: 'a=2&b=1' }), get);
  });
});

describe('SCAN patterns', () => {
  test('glob characters in paths are escaped', () => {
    assert.equal(globEscape('/a*b?c[d]e\\f'), '/a\\*b\\?c\\[d\\]e\\\\f');
  });
});

describe('upstream URL', () => {
  test('joins a base with or without a path', () => {
    assert.equal(upstreamURL('https://api.agify.io', '/', 'name=ada'), 'https://api.agify.io/?name=ada');
    assert.equal(upstreamURL('https://x.test/v1/', '/people', ''), 'https://x.test/v1/people');
    // The query as the client sent it: order, encoding and bare flags kept (issue 22).
    assert.equal(upstreamURL('http://127.0.0.1:8080', '/a', 'z=1&y=2'), 'http://127.0.0.1:8080/a?z=1&y=2');
    assert.equal(upstreamURL('http://u.test', '/s', 'b=2&a=1&x=%20~&flag'), 'http://u.test/s?b=2&a=1&x=%20~&flag');
    assert.equal(upstreamURL('http://u.test', '/s', 'a=1&utm_source=x&utm_medium=y&b', ['utm_*']), 'http://u.test/s?a=1&b');
  });
});

describe('stored entries', () => {
  test('round-trip status, headers, times and bytes', () => {
    const body = Buffer.from([0, 10, 13, 255]);
    const headers = new Map([['content-type', 'image/png'], ['etag', '"a"'], ['set-cookie', 'sid=1']]);
    const e = decodeEntry(encodeEntry({ status: 203, headers, body, storedAt: 5, initialAge: 2, lifetime: 60 }));
    assert.deepEqual([e.status, e.storedAt, e.initialAge, e.lifetime, [...e.body]], [203, 5, 2, 60, [0, 10, 13, 255]]);
    assert.deepEqual([...e.headers], [['content-type', 'image/png'], ['etag', '"a"']], 'Set-Cookie is never stored');
    assert.equal(decodeEntry(Buffer.from('garbage')), null);
    assert.equal(decodeEntry(Buffer.from('{"s":200,"ct":null,"t":1}\nold v1 entry')), null);
  });

  test('a compressible body is stored gzip\'d when that saves, and comes back as it was', () => {
    const json = Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` }))));
    const bytes = encodeEntry({ status: 200, headers: new Map([['content-type', 'application/json']]), body: json, storedAt: 1 });
    assert.ok(bytes.length < json.length / 3, `${bytes.length} stored for ${json.length}`);
    const e = decodeEntry(bytes);
    assert.ok(e.gzipped && e.body.equals(json) && e.size === json.length);
    const png = Buffer.alloc(4096, 7);
    const raw = decodeEntry(encodeEntry({ status: 200, headers: new Map([['content-type', 'image/png']]), body: png, storedAt: 1 }));
    assert.ok(!raw.gzipped && raw.body.equals(png), 'an image is stored as it came');
  });

  test('text is told from binary by content type', () => {
    for (const t of ['application/json', 'text/html; charset=utf-8', 'application/problem+json', undefined]) {
      assert.ok(isTextual(t), t);
    }
    for (const t of ['image/png', 'application/octet-stream', 'application/pdf']) assert.ok(!isTextual(t), t);
  });
});

describe('one path for the key, the rules and the upstream (issue 22 review)', () => {
  test('%2e segments are dot segments, as the URL parser reads them; repeated slashes are one', async () => {
    const { normalizePath } = await import('../src/key.mjs');
    const { upstreamURL } = await import('../src/upstream.mjs');
    assert.equal(normalizePath('/public/%2e%2e/private/x'), '/private/x');
    assert.equal(normalizePath('/a/%2E/b'), '/a/b');
    assert.equal(upstreamURL('http://u.test', '/public/%2e%2e/private/x', ''), 'http://u.test/private/x');
    assert.equal(upstreamURL('http://u.test', '/a//b', 'q=1'), 'http://u.test/a/b?q=1');
    assert.equal(normalizePath('/a%2eb'), '/a%2eb', 'only whole segments');
  });
});
