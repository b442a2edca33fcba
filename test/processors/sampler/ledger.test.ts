// The ledger's load estimates, which dynamic mode shares the budget by: what a boost kept is the anomaly's
// excess, paid from the boost budget, and does not count as the pattern's load — else a spike's excess
// raised the next windows' budget and the other patterns kept more for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ledger } from '../../../processors/sampler/ledger.js';
import { SEVERITY_CLASSES } from '../../../policy/severity.js';

const INFO = SEVERITY_CLASSES.indexOf('INFO');
const ERROR = SEVERITY_CLASSES.indexOf('ERROR');

const W = 60_000;

function window(ledger: Ledger, start: number, records: number, boosted: number): void {
  for (let i = 0; i < records; i++) {
    const entry = ledger.entry('api', 'p', start + i);
    ledger.note(entry, 10, 30, i < boosted, false, i < boosted, INFO);
  }
}

describe('ledger loads', () => {
  it('a window\'s load is what it saw less what a boost kept; its row still says both', () => {
    const ledger = new Ledger(W);
    window(ledger, 0, 100, 0);
    window(ledger, W, 900, 800);
    ledger.entry('api', 'p', 2 * W);
    assert.equal(ledger.rates('api', 2 * W, 1000).get('p')!.records, 100, 'the spike window taught its usual 100, not 900');
    const rows = ledger.drain();
    assert.deepEqual(rows.map((r) => [r.seen, r.boosted]), [[100, 0], [900, 800]]);
  });

  it('counts ERROR-and-above records seen and kept per pattern and window, and every class seen', () => {
    const ledger = new Ledger(W);
    for (let i = 0; i < 10; i++) ledger.note(ledger.entry('api', 'p', i), 10, 30, i % 2 === 0, false, false, i < 4 ? ERROR : INFO);
    ledger.note(ledger.entry('api', 'p', W), 10, 30, true, false, false, INFO);
    const [row] = ledger.drain();
    assert.deepEqual([row!.errors_seen, row!.errors_kept], [4, 2]);
    assert.deepEqual([row!.seen_by_class[ERROR], row!.seen_by_class[INFO]], [4, 6]);
    const [next] = ledger.drain(true);
    assert.deepEqual([next!.seen_by_class[ERROR], next!.seen_by_class[INFO]], [0, 1], 'the next window counts afresh');
  });
});
