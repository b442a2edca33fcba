// An alert's evidence as the sampler gathers it: a release is one change even while old and new replicas
// alternate during a rolling deploy; lines are the newest few per pattern, and a service-wide finding gets the
// service's newest across its patterns; everything bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertEvidence, type EvidenceLine } from '../../../processors/sampler/alert_evidence.js';

const line = (at: number, body: string): EvidenceLine => ({ at, severity: 'ERROR', body, trace_id: '', how: 'kept' });

describe('alert evidence', () => {
  it('a new service.version is one change, however the old and new replicas alternate', () => {
    const e = new AlertEvidence();
    e.resource('api', 'service.version', '1.4.0', 1000);
    e.resource('api', 'service.version', '1.4.0', 2000);
    for (let t = 3000; t < 9000; t += 1000) e.resource('api', 'service.version', t % 2000 === 0 ? '1.4.0' : '1.5.0', t);
    e.resource('web', 'service.version', '9.9.9', 4000);
    assert.deepEqual(e.changes('api', 0), [{ kind: 'resource', key: 'service.version', from: '1.4.0', to: '1.5.0', at: 3000 }]);
    assert.deepEqual(e.changes('api', 3001), [], 'only changes at or after the time asked');
    assert.deepEqual(e.changes('web', 0), [], 'a first value is no change');
  });

  it('keeps the newest lines per pattern, and the service\'s newest for a service-wide finding', () => {
    const e = new AlertEvidence(2, 10);
    for (let i = 0; i < 5; i++) e.line('api', 'p', line(i, `p ${i}`));
    e.line('api', 'q', line(10, 'q 10'));
    e.line('web', 'p', line(20, 'elsewhere'));
    assert.deepEqual(e.lines('api', 'p', 3).map((l) => l.body), ['p 3', 'p 4']);
    assert.deepEqual(e.lines('api', '', 2).map((l) => l.body), ['p 4', 'q 10']);
  });

  it('holds a bounded number of patterns', () => {
    const e = new AlertEvidence(1, 3);
    for (let i = 0; i < 10; i++) e.line('api', `p${i}`, line(i, `p${i}`));
    assert.deepEqual(e.lines('api', '', 10).map((l) => l.body), ['p7', 'p8', 'p9']);
  });
});
