// The JavaScript SDK against the shared vectors: its miner gives every body the daemon's pattern id and
// template step by step (sdk/vectors/patterns.jsonl), and its source sampler decides every record of every
// case as the daemon's sampler did (sdk/vectors/decisions.jsonl) — keep or drop, reason, count and rate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SourceSampler } from '../src/source_sampler.js';
import type { Policy } from '../../../policy/policy.js';

const read = (name: string) => readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => read(name).split('\n').filter(Boolean).map((line) => JSON.parse(line));

describe('the JavaScript SDK against the shared vectors', () => {
  for (const name of ['patterns.jsonl', 'patterns_evicting.jsonl']) {
    it(`pattern ids and templates, step by step (${name})`, () => {
      const vectors = lines(name) as Array<{ service: string; body: string; id: string; template: string; max_patterns?: number }>;
      const sampler = new SourceSampler(vectors[0]?.max_patterns ? { maxPatterns: vectors[0].max_patterns } : {});
      vectors.forEach((v, i) => {
        const d = sampler.decide({ service: v.service, body: v.body, timeMs: 0, severityNumber: 17 });
        assert.deepEqual({ id: d.patternId, template: d.template }, { id: v.id, template: v.template }, `vector ${i + 1}: ${v.body}`);
      });
    });
  }

  it('decisions, sample counts and rates in every case', () => {
    const cases = JSON.parse(read('decision_cases.json')) as Array<{ name: string; settings: { window_seconds: number; min_keep: number; keep_at_or_above: 'ERROR' }; policy: Policy }>;
    const records = lines('decisions.jsonl');
    for (const c of cases) {
      const sampler = new SourceSampler({ windowSeconds: c.settings.window_seconds, minKeep: c.settings.min_keep, keepAtOrAbove: c.settings.keep_at_or_above });
      sampler.setPolicy(c.policy);
      for (const v of records.filter((r: { case: string }) => r.case === c.name)) {
        const d = sampler.decide({ service: v.service, body: v.body, timeMs: v.time_ms, severityNumber: v.severity_number, severityText: v.severity_text, traceId: v.trace_id ?? undefined, attributes: v.attributes });
        const where = `${c.name} at ${v.time_ms}: ${v.body}`;
        assert.equal(d.patternId, v.pattern_id, where);
        assert.equal(d.keep, v.keep, where);
        if (!v.keep) continue;
        assert.equal(d.reason, v.reason, where);
        assert.equal(d.sampleCount, v.sample_count, where);
        assert.ok(Math.abs(d.sampleRate - v.sample_rate) <= 1e-9 * v.sample_rate, `${where}: rate ${d.sampleRate} against ${v.sample_rate}`);
      }
    }
  });
});
