// A policy's hash names its content: key order (how a JSON body or a YAML file happened to list them) does
// not change it; any value at any depth does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicy, type Policy } from '../../policy/policy.js';
import { policyHash } from '../../policy/policy_hash.js';

const reversedKeys = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) : value;

describe('policyHash', () => {
  it('is the same for the same document in any key order, and moves with any value', () => {
    const policy = defaultPolicy('checkout');
    const reordered = reversedKeys(structuredClone(policy)) as Policy;
    assert.notDeepEqual(Object.keys(reordered), Object.keys(policy));
    assert.equal(policyHash(reordered), policyHash(policy));
    assert.match(policyHash(policy), /^[0-9a-f]{64}$/);
    const nested = structuredClone(policy);
    nested.severity_keep.DEBUG = 0.03;
    assert.notEqual(policyHash(nested), policyHash(policy));
    assert.notEqual(policyHash({ ...policy, version: policy.version + 1 }), policyHash(policy));
  });
});
