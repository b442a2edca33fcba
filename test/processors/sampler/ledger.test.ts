// The ledger's load estimates, which dynamic mode shares the budget by: what a boost kept is the anomaly's
// excess, paid from the boost budget, and does not count as the pattern's load — else a spike's excess
// raised the next windows' budget and the other patterns kept more for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDLE_WINDOWS, Ledger } from '../../../processors/sampler/ledger.js';
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

  it('forgets a pattern silent for IDLE_WINDOWS windows, after its rows are out: what it holds follows the patterns in use, not all ever seen', () => {
    const ledger = new Ledger(W);
    // A thousand patterns come once each, a window apart in tens; one pattern goes on every window.
    const rows: number[] = [];
    for (let w = 0; w < 100; w++) {
      for (let i = 0; i < 10; i++) ledger.note(ledger.entry('api', `once-${w}-${i}`, w * W + i), 10, 30, false, false, false, INFO);
      ledger.note(ledger.entry('api', 'steady', w * W + 20), 10, 30, true, false, false, INFO);
      ledger.closeEnded((w + 1) * W);
      rows.push(...ledger.drain().map((r) => r.seen));
      ledger.forgetIdle((w + 1) * W);
      assert.ok(ledger.rates('api', (w + 1) * W, 1000).size <= 10 * IDLE_WINDOWS + 1, `window ${w}: ${ledger.rates('api', (w + 1) * W, 1000).size} entries held`);
    }
    assert.equal(rows.reduce((a, b) => a + b, 0), 1100, 'every record of a forgotten pattern was counted in a row before it went');
    assert.ok(ledger.rates('api', 100 * W, 1000).has('steady'));
    assert.ok(!ledger.rates('api', 100 * W, 1000).has('once-0-0'));
    assert.ok(ledger.rates('api', 100 * W, 1000).has(`once-${100 - IDLE_WINDOWS}-0`), 'a pattern silent for fewer windows is still held');
  });

  it('holds at most its cap of patterns a service when new ones flood in, closing the stalest first: every record still counted', () => {
    const ledger = new Ledger(W, 100);
    for (let i = 0; i < 1000; i++) ledger.note(ledger.entry('api', `flood-${i}`, i), 10, 30, false, false, false, INFO);
    for (let i = 1000; i < 1500; i++) {
      ledger.note(ledger.entry('api', `flood-${i}`, W + i), 10, 30, false, false, false, INFO);
      if (i % 20 === 0) ledger.note(ledger.entry('api', 'steady', W + i), 10, 30, true, false, false, INFO);
    }
    const held = ledger.rates('api', W + 1500, 1000);
    assert.ok(held.size <= 100, `${held.size} entries held`);
    assert.ok(held.has('steady'), 'a pattern still logging outlives the flood around it');
    const rows = ledger.drain(true);
    assert.equal(rows.reduce((n, r) => n + r.seen, 0), 1525, 'every record is in a row');
    assert.equal(rows.filter((r) => r.pattern === 'steady').reduce((n, r) => n + r.seen, 0), 25);
  });
});

