// The daemon against the pattern vectors the SDKs are held to (sdk/vectors/patterns.jsonl): the same stream
// of bodies through the daemon's miner gives the same pattern id and template at every step. A change to the
// miner that moves any of them fails here first; regenerate the vectors on purpose (node --import tsx
// sdk/vectors/patterns.ts) and every SDK must follow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultSignatureConfig, minerFromConfig } from '../../processors/signature/factory.js';
import { bodySignature } from '../../processors/signature/structured_body.js';

interface Vector {
  service: string;
  body: string;
  id: string;
  template: string;
  max_patterns?: number;
}

const read = (name: string) =>
  readFileSync(new URL(`../../sdk/vectors/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Vector);
const vectors = read('patterns.jsonl');
const evicting = read('patterns_evicting.jsonl');

describe('pattern vectors', () => {
  it('cover several services, generalisation steps and thousands of records', () => {
    assert.ok(vectors.length > 2000);
    assert.ok(new Set(vectors.map((v) => v.service)).size >= 4);
    // A pattern's id changes when its template generalises (a word becomes <*>): the stream holds such steps.
    const generalises = (from: string, to: string) => {
      const a = from.split(' ');
      const b = to.split(' ');
      return from !== to && a.length === b.length && b.every((t, k) => t === a[k] || t.includes('<*>'));
    };
    const seen = new Map<string, string[]>();
    let steps = 0;
    for (const v of vectors) {
      const earlier = seen.get(v.service) ?? [];
      if (!earlier.includes(v.template)) {
        if (earlier.some((t) => generalises(t, v.template))) steps += 1;
        seen.set(v.service, [...earlier, v.template]);
      }
    }
    assert.ok(steps > 0, 'a template generalised on the way');
  });

  for (const [name, stream] of [['patterns.jsonl', vectors], ['patterns_evicting.jsonl (a miner that evicts)', evicting]] as const) {
    it(`the daemon's miner gives every body the id and template ${name} holds, step by step`, () => {
      const miner = minerFromConfig({ ...defaultSignatureConfig(), ...(stream[0]?.max_patterns ? { max_patterns_per_service: stream[0].max_patterns } : {}) });
      stream.forEach((v, i) => {
        const pattern = miner.add(v.service, bodySignature(v.body, () => v.body));
        assert.deepEqual({ id: pattern.id, template: pattern.template }, { id: v.id, template: v.template }, `vector ${i + 1}: ${v.service}: ${v.body}`);
      });
    });
  }

  it('the evicting stream differs from the other where eviction made the miner forget', () => {
    assert.equal(evicting.length, vectors.length);
    assert.ok(evicting.every((v) => v.max_patterns === 10));
    assert.ok(evicting.filter((v, i) => v.id !== vectors[i]!.id).length > 100);
  });
});
