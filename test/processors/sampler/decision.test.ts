// The keep/drop decision alone, by case table: what is always kept, the policy's probability and its floor,
// and what a boost adds out of its bucket — with the sampler's state asked for only when the decision needs it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { severityRank } from '../../../policy/severity.js';
import { decide, type Decision, type DecisionPorts, type DecisionRules } from '../../../processors/sampler/decision.js';

const RULES: DecisionRules = { keepRank: severityRank('ERROR'), hasKeepRules: true, firstK: 1, minKeep: 0.001 };

interface Case {
  name: string;
  severity?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  seen?: number;
  rule?: boolean;
  wanted?: number;
  draw?: number;
  boostKeep?: number;
  bucket?: boolean;
  rules?: Partial<DecisionRules>;
  expect: Decision;
}

const CASES: Case[] = [
  { name: 'ERROR is kept whatever the policy wants', severity: 'ERROR', wanted: 0, draw: 0.99, expect: { keep: true, probability: 1, reason: 'severity' } },
  { name: 'FATAL too', severity: 'FATAL', wanted: 0, draw: 0.99, expect: { keep: true, probability: 1, reason: 'severity' } },
  { name: 'a lower kept rank keeps WARN', severity: 'WARN', rules: { keepRank: severityRank('WARN') }, wanted: 0, expect: { keep: true, probability: 1, reason: 'severity' } },
  { name: 'a matching keep rule keeps', severity: 'INFO', rule: true, wanted: 0, draw: 0.99, expect: { keep: true, probability: 1, reason: 'rule' } },
  { name: 'the first K of a window are kept', severity: 'INFO', seen: 0, wanted: 0, draw: 0.99, expect: { keep: true, probability: 1, reason: 'first' } },
  { name: 'past the first K, the policy decides', severity: 'INFO', seen: 1, wanted: 0.2, draw: 0.1, expect: { keep: true, probability: 0.2, reason: 'sampled' } },
  { name: 'a draw above the probability drops', severity: 'INFO', seen: 1, wanted: 0.2, draw: 0.3, expect: { keep: false, probability: 0.2, reason: 'sampled' } },
  { name: 'the floor: a policy asking 0 still keeps min_keep', severity: 'DEBUG', seen: 5, wanted: 0, draw: 0.0005, expect: { keep: true, probability: 0.001, reason: 'sampled' } },
  { name: 'the floor is a probability, not a promise', severity: 'DEBUG', seen: 5, wanted: 0, draw: 0.002, expect: { keep: false, probability: 0.001, reason: 'sampled' } },
  { name: 'no floor when min_keep is 0', severity: 'DEBUG', seen: 5, wanted: 0, draw: 0.0005, rules: { minKeep: 0 }, expect: { keep: false, probability: 0, reason: 'sampled' } },
  { name: 'above 1 is 1', severity: 'INFO', seen: 5, wanted: 3, draw: 0.999, expect: { keep: true, probability: 1, reason: 'sampled' } },
  { name: 'boosted: what the policy keeps anyway is the policy\'s, at the boost\'s rate', severity: 'INFO', seen: 5, wanted: 0.1, draw: 0.05, boostKeep: 1, bucket: true, expect: { keep: true, probability: 1, reason: 'sampled' } },
  { name: 'boosted: beyond the policy, kept out of the bucket', severity: 'INFO', seen: 5, wanted: 0.1, draw: 0.5, boostKeep: 1, bucket: true, expect: { keep: true, probability: 1, reason: 'boost' } },
  { name: 'boosted: an empty bucket at take drops', severity: 'INFO', seen: 5, wanted: 0.1, draw: 0.5, boostKeep: 1, bucket: false, expect: { keep: false, probability: 1, reason: 'boost' } },
  { name: 'boosted: above the boost\'s probability drops without spending', severity: 'INFO', seen: 5, wanted: 0.1, draw: 0.7, boostKeep: 0.5, bucket: true, expect: { keep: false, probability: 0.5, reason: 'boost' } },
  { name: 'a boost never lowers the policy\'s probability', severity: 'INFO', seen: 5, wanted: 0.3, draw: 0.2, boostKeep: 0.1, bucket: true, expect: { keep: true, probability: 0.3, reason: 'sampled' } },
  { name: 'not boosted (or no room): the policy alone', severity: 'INFO', seen: 5, wanted: 0.1, draw: 0.5, expect: { keep: false, probability: 0.1, reason: 'sampled' } },
];

function portsFor(c: Case, asked: string[]): DecisionPorts {
  const note = <T>(name: string, value: T) => {
    asked.push(name);
    return value;
  };
  return {
    matchesRule: () => note('rule', c.rule ?? false),
    wanted: () => note('wanted', c.wanted ?? 1),
    draw: () => note('draw', c.draw ?? 0),
    boostKeep: () => note('boost', c.boostKeep),
    takeBoost: () => note('take', c.bucket ?? false),
  };
}

describe('the keep/drop decision', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const asked: string[] = [];
      const decision = decide({ ...RULES, ...c.rules }, severityRank(c.severity ?? 'INFO'), c.seen ?? 5, portsFor(c, asked));
      assert.deepEqual(decision, c.expect);
    });
  }

  it('asks for nothing it does not need: a kept ERROR costs no share-out, draw or boost check', () => {
    const asked: string[] = [];
    decide(RULES, severityRank('ERROR'), 5, portsFor({ name: '', expect: { keep: true, probability: 1, reason: 'severity' } }, asked));
    assert.deepEqual(asked, []);
    const first: string[] = [];
    decide(RULES, severityRank('INFO'), 0, portsFor({ name: '', expect: { keep: true, probability: 1, reason: 'first' } }, first));
    assert.deepEqual(first, ['rule']);
    const noRules: string[] = [];
    decide({ ...RULES, hasKeepRules: false }, severityRank('INFO'), 0, portsFor({ name: '', rule: true, expect: { keep: true, probability: 1, reason: 'first' } }, noRules));
    assert.deepEqual(noRules, [], 'no keep rules: none is matched');
  });

  it('spends the bucket only for records the boost alone keeps', () => {
    const asked: string[] = [];
    decide(RULES, severityRank('INFO'), 5, portsFor({ name: '', wanted: 0.1, draw: 0.05, boostKeep: 1, bucket: true, expect: { keep: true, probability: 1, reason: 'sampled' } }, asked));
    assert.ok(!asked.includes('take'), asked.join(' '));
  });
});
