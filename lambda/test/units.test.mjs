// Pure pieces: RESP encoding and parsing, key normalization, the upstream URL, entries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PushMessage, ReplyParser, RedisError, encodeCommand } from '../src/redis.mjs';
import { cacheKey, globEscape, normalizePath, normalizeQuery } from '../src/key.mjs';
import { upstreamURL } from '../src/index.mjs';
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
    assert.equal(get, 'ns:v1:0:GET:/p?a=2&b=1');
    assert.equal(cacheKey({ namespace: 'ns', version: '7', method: 'DELETE', path: '/p', query: '' }), 'ns:v1:7:GET:/p');
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
    assert.equal(upstreamURL('http://127.0.0.1:8080', '/a', 'z=1&y=2'), 'http://127.0.0.1:8080/a?y=2&z=1');
  });
});

describe('stored entries', () => {
  test('round-trip status, type, time and bytes', () => {
    const body = Buffer.from([0, 10, 13, 255]);
    const e = decodeEntry(encodeEntry({ status: 203, contentType: 'image/png', body, storedAt: 5 }));
    assert.deepEqual([e.status, e.contentType, e.storedAt, [...e.body]], [203, 'image/png', 5, [0, 10, 13, 255]]);
    assert.equal(decodeEntry(Buffer.from('garbage')), null);
  });

  test('text is told from binary by content type', () => {
    for (const t of ['application/json', 'text/html; charset=utf-8', 'application/problem+json', undefined]) {
      assert.ok(isTextual(t), t);
    }
    for (const t of ['image/png', 'application/octet-stream', 'application/pdf']) assert.ok(!isTextual(t), t);
  });
});
