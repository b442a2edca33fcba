// The guard on its own: the proposal schema is in the strict form structured outputs need; replies are
// parsed and checked (unknown keys, wrong types, invalid JSON refused); policies are clamped to the
// invariants with every clamp recorded, and what cannot be clamped (a bad regular expression) is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariantsText } from '../../policy/invariants.js';
import { defaultPolicy, type Policy } from '../../policy/policy.js';
import { defaultTunerConfig } from '../../tuner/config.js';
import { guardPolicy, parseProposal } from '../../tuner/guard.js';
import { PROPOSAL_SCHEMA, policyFromProposal } from '../../tuner/proposal_schema.js';
import { proposal } from '../support/tuner_rig.js';

const { guard, target } = defaultTunerConfig();

/** A reply with these changes, parsed into a policy for service `api`. */
function parsed(changes: Record<string, unknown>): Policy {
  const result = parseProposal(JSON.stringify(proposal(changes)));
  if (result.kind !== 'parsed') throw new Error(result.reason);
  return policyFromProposal(result.proposal, 'api', 0);
}

function walk(schema: Record<string, unknown>, visit: (s: Record<string, unknown>, path: string) => void, path = '$'): void {
  visit(schema, path);
  for (const [key, value] of Object.entries(schema)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value as Record<string, unknown>, visit, `${path}.${key}`);
  }
}

describe('guard', () => {
  it('offers providers a strict schema: closed objects, every property required, no bounds, typed enums', () => {
    walk(PROPOSAL_SCHEMA, (s, path) => {
      if (s.type === 'object' && s.properties) {
        assert.equal(s.additionalProperties, false, path);
        assert.deepEqual([...(s.required as string[])].sort(), Object.keys(s.properties as object).sort(), path);
      }
      for (const bound of ['minimum', 'maximum', 'exclusiveMinimum', 'minLength']) assert.ok(!(bound in s), `${path} has ${bound}`);
      if (s.enum) assert.equal(s.type, 'string', path);
    });
  });

  it('refuses what is not a proposal', () => {
    assert.equal(parseProposal('{"mode":').kind, 'invalid_json');
    const extra = parseProposal(JSON.stringify(proposal({ sneaky: 1 })));
    assert.ok(extra.kind === 'schema' && /sneaky/.test(extra.reason));
    const wrongType = parseProposal(JSON.stringify(proposal({ first_k_per_window: 'many' })));
    assert.ok(wrongType.kind === 'schema' && /first_k_per_window/.test(wrongType.reason));
    const missing = { ...proposal() };
    delete missing.budget;
    assert.equal(parseProposal(JSON.stringify(missing)).kind, 'schema');
    // A Markdown fence around an otherwise good reply is tolerated.
    assert.equal(parseProposal('```json\n' + JSON.stringify(proposal()) + '\n```').kind, 'parsed');
  });

  it('moves a rate at most max_step either way, and never under the floor', () => {
    const current = defaultPolicy('api');
    const wild = parsed({ severity_keep: { UNSPECIFIED: 1, TRACE: 1, DEBUG: 0.0000001, INFO: 1, WARN: 0.5, ERROR: 1, FATAL: 1 }, budget: { records_per_second: 5000, bytes_per_second: null, keep_fraction: 0.9, scope: 'service' } });
    const result = guardPolicy(wild, current, guard, target);
    assert.ok(result.kind === 'guarded');
    assert.equal(result.policy.budget.keep_fraction, 0.2, '0.05 → at most 0.2');
    assert.equal(result.policy.severity_keep.INFO, 0.4, '0.1 → at most 0.4');
    assert.equal(result.policy.severity_keep.DEBUG, 0.005, '0.02 → at least 0.005');
    assert.equal(result.policy.budget.records_per_second, 5000, 'a budget the current policy did not set has no step');
    const rules = new Set(result.clamps.map((c) => c.rule));
    assert.ok([...rules].some((r) => /at most 4×/.test(r)));
  });

  it('gives a dynamic policy without a budget the target, and pins patterns no lower than the floor', () => {
    const current = defaultPolicy('api');
    const candidate: Policy = { ...defaultPolicy('api'), pattern_keep: { noisy: 0 }, budget: { records_per_second: null, bytes_per_second: null, keep_fraction: null, scope: 'service' } };
    const result = guardPolicy(candidate, current, guard, target);
    assert.ok(result.kind === 'guarded');
    assert.equal(result.policy.budget.keep_fraction, target.keep_fraction);
    assert.equal(result.policy.pattern_keep.noisy, guard.min_keep);
    assert.deepEqual(result.clamps.map((c) => c.path).sort(), ['budget.keep_fraction', 'pattern_keep.noisy']);
  });

  it('refuses what cannot be clamped', () => {
    const candidate: Policy = { ...defaultPolicy('api'), keep_rules: [{ attribute: 'msg', op: 'matches', value: '(' }] };
    const result = guardPolicy(candidate, defaultPolicy('api'), guard, target);
    assert.ok(result.kind === 'refused');
    assert.match(result.reason, /keep_rules\[0\]\.value: is not a regular expression/);
  });

  it('clamps to the higher of its floor and the sampler\'s, and tells the LLM the floors it enforces', () => {
    const candidate: Policy = { ...defaultPolicy('api'), pattern_keep: { noisy: 0.002 } };
    const result = guardPolicy(candidate, defaultPolicy('api'), guard, target, 0.01);
    assert.ok(result.kind === 'guarded');
    assert.equal(result.policy.pattern_keep.noisy, 0.01, 'the sampler would never go below its own floor');
    const text = invariantsText({ minKeep: 0.01, maxStep: guard.max_step, minBoost: guard.min_boost, maxFirstK: guard.max_first_k });
    assert.match(text, /ERROR and FATAL records are always kept/);
    assert.match(text, /below 0\.01\b/);
    assert.match(text, new RegExp(`at most ${guard.max_step}×`));
  });
});

