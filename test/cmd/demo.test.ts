// `logsift demo`: the daemon, the traffic generator and the view run and stop cleanly; without a terminal
// the view is one JSON line a second.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

describe('logsift demo', () => {
  it('runs for --duration seconds, reporting records in and kept, then exits 0', async () => {
    const result = await runCli(['demo', '--duration', '3']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { records_in: number; records_kept: number; reduction: number });
    assert.ok(lines.length >= 3);
    const last = lines[lines.length - 1]!;
    assert.ok(last.records_in > 500, `records in: ${last.records_in}`);
    assert.ok(last.records_kept > 0 && last.records_kept < last.records_in);
    assert.ok(last.reduction > 0.5 && last.reduction < 1);
  });
});
