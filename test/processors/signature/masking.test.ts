// What the masker turns into <*> before mining, and what it leaves alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker, holdsForShape, shapeKey } from '../../../processors/signature/masking.js';

const mask = (body: string, masker = createMasker()) => masker.tokens(body).join(' ');

describe('masking', () => {
  const cases: Array<[string, string, string]> = [
    ['numbers, signed and decimal', 'took 42 ms and -3.5 retries (7)', 'took <*> ms and <*> retries (<*>)'],
    ['hex', 'addr 0xdeadBEEF and id a3f9c2d4e5b6c7d8e9f0', 'addr <*> and id <*>'],
    ['UUIDs', 'request 123e4567-e89b-12d3-a456-426614174000 done', 'request <*> done'],
    ['IPv4 with and without port', 'from 10.0.0.1 to 192.168.1.20:8080', 'from <*> to <*>'],
    ['IPv6', 'peer fe80::1ff:fe23:4567:890a and [::1]:443', 'peer <*> and <*>'],
    ['timestamps', 'at 2026-11-26T12:00:00.123Z and 12:30:45 on Sat Jun 18', 'at <*> and <*> on <*>'],
    ['paths', 'open /var/log/app.log and C:\\Windows\\system32', 'open <*> and <*>'],
    ['URLs and emails', 'GET https://api.example.com/v1/x?y=1 for ops@example.com', 'GET <*> for <*>'],
    ['durations and sizes', 'slept 250ms wrote 12KB of 3MiB', 'slept <*> wrote <*> of <*>'],
    ['identifiers with digits', 'blk_-6952295868487656571 core.4421 user42', '<*> core.<*> <*>'],
    ['key=value and quoted values keep their keys', 'lock=4 flg=0x1 tag="View Lock" ws=null,', 'lock=<*> flg=<*> tag=<*> ws=<*>,'],
    ['punctuation around a variable stays', 'listed [10.0.0.1], (port 80);', 'listed [<*>], (port <*>);'],
    ['plain words stay', 'Accepted password for root', 'Accepted password for root'],
    ['a Java socket address, with or without its host name, is one value', 'from /10.0.0.1:50010 to dn-7/10.0.0.2:9000', 'from <*> to <*>'],
    ['host names with upper-case labels; a Java class name is not a host', 'resolved MININT-7X.corp.example.com by org.apache.hadoop.mapreduce.JobEventType', 'resolved <*> by org.apache.hadoop.mapreduce.JobEventType'],
    ['boolean and null literals are values', 'setLightsOn(true) opt-in: False ws=null "(null)"', 'setLightsOn(<*>) opt-in: <*> ws=<*> "(<*>)"'],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => assert.equal(mask(body), expected));
  }

  it('whitespace of any kind separates tokens; empty bodies give no tokens', () => {
    assert.deepEqual(createMasker().tokens('  a\tb \n c  '), ['a', 'b', 'c']);
    assert.deepEqual(createMasker().tokens(''), []);
  });

  it('shapes: bodies equal but for their digits share a shape; masked forms that kept a digit do not hold for it', () => {
    assert.equal(shapeKey('took 42 ms'), shapeKey('took 97 ms'));
    assert.notEqual(shapeKey('took 42 ms'), shapeKey('took 420 ms'), 'widths are part of the shape');
    assert.notEqual(shapeKey('took 42 ms'), shapeKey('took 4x ms'));
    assert.ok(Number.isSafeInteger(shapeKey('x'.repeat(1000))));
    assert.ok(holdsForShape('ipv<*>=<*> up') && holdsForShape('took <*> ms'));
    assert.ok(!holdsForShape('ipv4=<*> up'), 'a key with a digit: another body of this shape may say ipv6');
  });

  it('the mask set is configurable', () => {
    const onlyIp = createMasker(['ip']);
    assert.equal(mask('from 10.0.0.1 took 42 ms', onlyIp), 'from <*> took 42 ms');
    assert.equal(mask('lock=4', createMasker(['number'])), 'lock=<*>');
    assert.equal(mask('mode=auto', createMasker(['number'])), 'mode=auto', 'without keyvalue, a word value stays');
  });

  it('a huge body of an unclosed quote, an unclosed bracket, dotted or versioned runs is masked in one pass', () => {
    // Each of these took time growing with the square of its length in an earlier version (a 40 kB
    // unclosed quote: 0.7 s, so these 2 MB bodies: half an hour) — the test runner's timeout would end it.
    const n = 1_000_000;
    for (const body of ['x "' + 'a '.repeat(n), 'x [' + 'a, '.repeat(n), 'a.'.repeat(n) + '!', '1.' + '1.'.repeat(n) + 'x!', 'k="' + 'a '.repeat(n)]) {
      const masked = mask(body);
      assert.ok(masked.length > 0);
    }
  });
});
