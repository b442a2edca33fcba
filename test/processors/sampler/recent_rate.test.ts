// A boosted pattern's recent rate: read over the span before and the one in progress, so a spike that ended
// is seen to have ended within a span, a quiet span counts as zero, and a count just begun is not taken for
// a rate until a quarter span has passed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentRate } from '../../../processors/sampler/recent_rate.js';

const SPAN = 15_000;

/** `perSecond` records a second from `from` for `seconds`, evenly. */
function feed(rate: RecentRate, from: number, seconds: number, perSecond: number): number {
  for (let i = 0; i < seconds * perSecond; i++) rate.note(from + Math.floor((i * 1000) / perSecond));
  return from + seconds * 1000;
}

describe('recent rate', () => {
  it('follows a burst up and, a span after it ended, down again', () => {
    const rate = new RecentRate(SPAN, 0);
    let t = feed(rate, 0, 30, 40);
    assert.ok(Math.abs(rate.perSecond(t) - 40) < 3, `${rate.perSecond(t)}`);
    t = feed(rate, t, 30, 320);
    assert.ok(rate.perSecond(t) > 250, `during the burst: ${rate.perSecond(t)}`);
    t = feed(rate, t, 30, 40);
    assert.ok(Math.abs(rate.perSecond(t) - 40) < 3, `30 s after it: ${rate.perSecond(t)}`);
  });

  it('a span with nothing in it is a quiet span, not a missing one', () => {
    const rate = new RecentRate(SPAN, 0);
    feed(rate, 0, 30, 40);
    assert.equal(rate.perSecond(95_000), 0);
  });

  it('a count just begun is judged over at least a quarter span; a seeded one over its half span', () => {
    const fresh = new RecentRate(SPAN, 0);
    fresh.note(0);
    assert.equal(fresh.perSecond(0), 1000 / (SPAN / 4));
    const seeded = new RecentRate(SPAN, 10_000, 300);
    assert.equal(seeded.perSecond(10_000), 300 / (SPAN / 2 / 1000));
  });
});
