// The daemon against the decision vectors the SDKs are held to (sdk/vectors/decisions.jsonl): the daemon's
// sampler, run again over every case, decides every record as the vectors say — keep or drop, reason, sample
// count and rate. A change to the sampler that moves any decision fails here first; regenerate the vectors
// on purpose (node --import tsx sdk/vectors/decisions.ts) and every SDK must follow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decisionCases, decisionLines } from '../../sdk/vectors/decisions.js';

const stored = readFileSync(new URL('../../sdk/vectors/decisions.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);

describe('decision vectors', () => {
  it('hold every kind of decision in every case, over several windows', () => {
    const records = stored.map((line) => JSON.parse(line) as { case: string; reason: string; keep: boolean; time_ms: number });
    for (const c of decisionCases()) {
      const mine = records.filter((r) => r.case === c.name);
      assert.ok(mine.length > 1000, c.name);
      assert.ok(mine.filter((r) => !r.keep).length > 100, `${c.name}: drops`);
      for (const reason of ['severity', 'first', 'sampled']) assert.ok(mine.some((r) => r.reason === reason), `${c.name}: ${reason}`);
      assert.ok((mine.at(-1)!.time_ms - mine[0]!.time_ms) / 60_000 > 4, `${c.name}: several windows`);
    }
    assert.ok(records.some((r) => r.reason === 'rule'), 'keep rules');
    assert.deepEqual(JSON.parse(readFileSync(new URL('../../sdk/vectors/decision_cases.json', import.meta.url), 'utf8')), decisionCases(), 'the cases file is the cases');
  });

  it('the daemon\'s sampler decides every record as the vectors say', async () => {
    const lines = await decisionLines();
    assert.equal(lines.length, stored.length);
    lines.forEach((line, i) => assert.equal(line, stored[i], `vector ${i + 1}`));
  });
});
