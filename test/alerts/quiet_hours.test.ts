// Quiet hours in their time zone: weekdays, a range past midnight belonging to the day it started, "24:00".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuietHours, timeZoneProblem } from '../../alerts/quiet_hours.js';

// 2026-12-04 is a Friday.
const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  it('holds weekday nights past midnight, from the evening they start', () => {
    const nights = new QuietHours([{ weekdays: ['friday'], from: '22:00', to: '07:00' }], 'UTC');
    assert.equal(nights.quiet(at('2026-12-04T21:59:00Z')), false);
    assert.equal(nights.quiet(at('2026-12-04T22:00:00Z')), true);
    assert.equal(nights.quiet(at('2026-12-05T06:59:00Z')), true, 'Saturday morning belongs to Friday night');
    assert.equal(nights.quiet(at('2026-12-05T07:00:00Z')), false);
    assert.equal(nights.quiet(at('2026-12-05T22:30:00Z')), false, 'not Saturday night');
  });

  it('reads the clock in its time zone, and takes whole days', () => {
    const berlin = new QuietHours([{ weekdays: ['saturday', 'sunday'], from: '00:00', to: '24:00' }], 'Europe/Berlin');
    assert.equal(berlin.quiet(at('2026-12-04T23:30:00Z')), true, 'already Saturday in Berlin');
    assert.equal(berlin.quiet(at('2026-12-04T22:30:00Z')), false, 'still Friday in Berlin');
    assert.equal(new QuietHours([], 'UTC').quiet(at('2026-12-05T12:00:00Z')), false, 'none configured');
  });

  it('refuses a time zone it does not know', () => {
    assert.equal(timeZoneProblem('Europe/Berlin'), undefined);
    assert.match(timeZoneProblem('Mars/Olympus')!, /not a time zone/);
  });
});
