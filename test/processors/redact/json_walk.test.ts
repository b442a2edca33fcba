// JSON text walked where it stands (json_walk.ts): it takes exactly the texts JSON.parse takes, and what it
// writes back means what parsing the text, walking the objects and writing them out again meant (the way the
// redactor worked before: kept in these tests as the reference) — under each action, on seeded random JSON
// with personal data, blocked keys, escapes and odd spacing, and on the same texts mutated; the spacing and
// order of what it did not change stay as they came; nesting deeper than the reference's 32 levels is
// redacted too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { random } from '../../../bench/draws.js';
import { DEFAULT_BLOCKED_KEYS } from '../../../processors/redact/factory.js';
import { walkJsonText, type JsonVisitor } from '../../../processors/redact/json_walk.js';
import { RECOGNISERS } from '../../../processors/redact/recognisers.js';
import { Redactor, type Counts, type Plain, type RedactAction } from '../../../processors/redact/redactor.js';

function redactor(action: RedactAction): Redactor {
  return new Redactor({ recognisers: new Set(RECOGNISERS), actions: {}, defaultAction: action, blockedKeys: DEFAULT_BLOCKED_KEYS, allowedKeys: undefined, ignoredKeys: new Set(), hashKey: Buffer.from('test key') });
}

/** A visitor that changes nothing: the walk only says whether the text is JSON. */
const looking: JsonVisitor = { keyBlocked: () => false, keyTells: () => false, string: (v) => v, number: () => undefined, blocked: () => undefined };

const PII = ['ann@example.com', '203.0.113.7', '4111 1111 1111 1111', '078-05-1120', '+44 20 7946 0958', 'password=hunter22', 'fe80::1:2:3:4', 'DE89 3704 0044 0532 0130 00', '4155552671', '078051120'];
const KEYS = ['user', 'email', 'dbPassword', 'token', 'n', 'items', 'a b', 'é', 'cookie', 'ref', 'session_id', 'msg', 'phone', 'customer_ssn'];

/** Seeded random JSON values: objects (keys unique), arrays, strings with personal data, escapes and other
 * scripts, numbers (card numbers among them), literals, JSON in a string. */
function generator(seed: number) {
  const u = random(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
  const value = (depth: number): unknown => {
    const r = u();
    if (depth < 6 && r < 0.2) {
      const keys = [...new Set(Array.from({ length: Math.floor(u() * 5) }, () => pick(KEYS)))];
      return Object.fromEntries(keys.map((k) => [k, value(depth + 1)]));
    }
    if (depth < 6 && r < 0.3) return Array.from({ length: Math.floor(u() * 4) }, () => value(depth + 1));
    if (r < 0.65) return pick([() => `seen ${pick(PII)} at 12:00`, () => pick(PII), () => 'quote " slash \\ tab \t line\nend', () => 'plain words', () => '', () => 'é中😀', () => JSON.stringify({ password: 'x1y2z3', mail: pick(PII) })])();
    if (r < 0.85) return pick([4111111111111111, 378282246310005, 1234567890123456, 42, -3.5e-7, 0, 1.5e300, 9007199254740993, 4155552671, 123456789, -4155552671]);
    return pick([true, false, null]);
  };
  /** JSON text of a value, with random white space between tokens and some characters escaped. */
  const text = (v: unknown): string => {
    const ws = () => pick(['', '', ' ', '\n  ', '\t', '\r\n']);
    const string = (s: string) => JSON.stringify(s).replace(/[@./]/g, (c) => (u() < 0.3 ? (c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : c));
    if (typeof v === 'string') return string(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => text(x) + ws()).join(`,${ws()}`)}]`;
    if (v !== null && typeof v === 'object') return `{${ws()}${Object.entries(v).map(([k, x]) => `${string(k)}${ws()}:${ws()}${text(x)}${ws()}`).join(`,${ws()}`)}}`;
    return JSON.stringify(v);
  };
  const mutate = (t: string): string => {
    const at = Math.floor(u() * t.length);
    const piece = pick(['{', '}', '[', ']', '"', ',', ':', '0', '-', 'e', '.', ' ', '\\', 'x', '\u0001', '\u00a0', 'true', 'nul']);
    return pick([() => t.slice(0, at) + t.slice(at + 1), () => t.slice(0, at) + piece + t.slice(at), () => t.slice(0, at) + piece + t.slice(at + 1)])();
  };
  return { value, text, mutate, u };
}

const parses = (t: string) => {
  try {
    const v = JSON.parse(t) as unknown;
    return v !== null && typeof v === 'object';
  } catch {
    return false;
  }
};

describe('JSON walked where it stands', () => {
  it('takes exactly the texts JSON.parse takes as an object or an array', () => {
    const g = generator(20261205);
    let valid = 0;
    let invalid = 0;
    for (let n = 0; n < 6000; n++) {
      const base = g.text(g.value(0));
      const t = g.u() < 0.5 ? base : g.mutate(g.u() < 0.5 ? base : g.mutate(base));
      const walked = walkJsonText(t, looking);
      assert.equal(walked !== undefined, parses(t), JSON.stringify(t));
      if (walked !== undefined) assert.equal(walked, t);
      if (parses(t)) valid++;
      else invalid++;
    }
    for (const t of ['{}', '[]', ' [1, 2] ', '{"a":[{"b":{}}]}', '[-0, 0.5e+3, 1E-2, "\\u00e9"]']) assert.equal(walkJsonText(t, looking), t, t);
    for (const t of ['{', '"text"', '42', '[01]', '[1.]', '[.5]', '[+1]', '{"a" 1}', '{"a":1,}', '[1,]', '["\\x"]', '["\\u12"]', '["a\u0001"]', '\u00a0{}', '{}x', '[1 2]', '{1:2}', '[tru]']) {
      assert.equal(walkJsonText(t, looking), undefined, t);
      assert.equal(parses(t), false, t);
    }
    assert.ok(valid > 1000 && invalid > 1000, `both kinds tried (${valid} valid, ${invalid} not)`);
  });

  for (const action of ['mask', 'hash', 'drop'] as const) {
    it(`writes back what parsing, walking and writing out again meant, under ${action}`, () => {
      const g = generator(action.length * 7919);
      const r = redactor(action);
      let changed = 0;
      for (let n = 0; n < 4000; n++) {
        const t = g.text(g.value(0));
        if (!parses(t)) continue;
        const walkedCounts: Counts = new Map();
        const out = r.text(t, walkedCounts);
        // The reference: the text parsed, its objects walked, written out again.
        const referenceCounts: Counts = new Map();
        const reference = r.plain(JSON.parse(t) as Plain, referenceCounts, 1);
        assert.deepEqual(JSON.parse(out), reference, `${t}\n→ ${out}`);
        assert.deepEqual(walkedCounts, referenceCounts, t);
        if (walkedCounts.size === 0) assert.equal(out, t, 'nothing found: the text as it came');
        else changed++;
      }
      assert.ok(changed > 500, `enough texts held something (${changed})`);
    });
  }

  it('keeps the spacing, key order and escapes of what it did not change', () => {
    const r = redactor('mask');
    const text = '{ "b" : 1,\n  "email": "ann@example.com",\t"path": "a\\/b", "z": [ 1 ] }';
    assert.equal(r.text(text, new Map()), '{ "b" : 1,\n  "email": "<email>",\t"path": "a\\/b", "z": [ 1 ] }');
    assert.equal(r.text('{"card": 4111111111111111, "n": 5}', new Map()), '{"card": "<card>", "n": 5}');
  });

  it('drops a blocked member with one comma beside it, wherever it stands', () => {
    const r = redactor('drop');
    const cases: Array<[string, string]> = [
      ['{"token":"a1b2c3"}', '{}'],
      ['{"token":"a1b2c3", "n":1}', '{ "n":1}'],
      ['{"n":1, "token":"a1b2c3"}', '{"n":1}'],
      ['{"n":1, "token":"a1b2c3", "m":2}', '{"n":1, "m":2}'],
      ['{"token":1,"cookie":2,"n":3}', '{"n":3}'],
      ['{"n":1,"token":1,"cookie":2}', '{"n":1}'],
      ['{"token":1,"cookie":2}', '{}'],
      ['[{"cookie":{"a":[1,2]}}, {"n":{"token":[{}]}}]', '[{}, {"n":{}}]'],
    ];
    for (const [text, out] of cases) assert.equal(r.text(text, new Map()), out, text);
  });

  it('redacts nesting deeper than the walk of parsed objects reached (32 levels)', () => {
    const r = redactor('mask');
    const deep = `${'{"a":['.repeat(200)}"ann@example.com"${']}'.repeat(200)}`;
    const counts: Counts = new Map();
    const out = r.text(deep, counts);
    assert.ok(!out.includes('ann@example.com'));
    assert.deepEqual(Object.fromEntries(counts), { email: 1 });
    assert.equal(out, deep.replace('ann@example.com', '<email>'));
  });
});
