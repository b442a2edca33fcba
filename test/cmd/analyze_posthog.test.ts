// `logsift analyze --posthog` through the real bin against the read-back stand-in: a 100,000-row backfill
// over two days of slices, throttled along the way, killed (SIGKILL) in the middle and run again — every
// row arrives exactly once and the report counts them all.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, runCli } from '../support/cli.js';
import { PosthogQueryStandin, isoMicros } from '../support/posthog_query_standin.js';
import { posthogRows, seqsByLine } from '../support/posthog_rows.js';

const FROM_US = Date.UTC(2026, 10, 28, 0, 0, 0) * 1000;
const TO_US = FROM_US + 48 * 3_600_000_000;
const KEY = 'phx_analyze_test_key';

/** Every row's seq in the backfill's slice files under the run's directory. */
function seqsIn(dir: string): number[] {
  const [job] = readdirSync(path.join(dir, 'posthog'));
  const slices = path.join(dir, 'posthog', job!);
  return seqsByLine(readdirSync(slices).filter((n) => n.endsWith('.jsonl')).map((n) => path.join(slices, n))).flat();
}

describe('logsift analyze --posthog', () => {
  const rows = posthogRows(100_000, FROM_US, TO_US);
  const standin = new PosthogQueryStandin(rows);
  standin.keys.set(KEY, ['logs:read']);
  let host = '';
  before(async () => {
    host = await standin.start();
  });
  after(() => standin.stop());

  it('a killed backfill run again delivers each of 100,000 rows exactly once, and the report counts them all', async () => {
    standin.throttleEvery = 6;
    const out = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-posthog-'));
    const args = ['analyze', '--posthog', host, '--project', '7', '--from', isoMicros(FROM_US), '--to', isoMicros(TO_US), '--out', out, '--json'];
    const env = { ...process.env, LOGSIFT_POSTHOG_KEY: KEY };

    const first = spawn(process.execPath, [BIN, ...args], { env, stdio: 'ignore' });
    const exited = once(first, 'exit');
    // Killed once 20 pages were answered (of about 60): some slices finished, some part-read, the rest untouched.
    void standin.pagesReached(20).then(() => first.kill('SIGKILL'));
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL', 'killed in the middle of the backfill');
    const partial = seqsIn(out);
    assert.ok(partial.length > 0 && partial.length < rows.length, `${partial.length} rows before the kill`);
    const pagesBefore = standin.pagesAnswered;

    const second = await runCli(args, { LOGSIFT_POSTHOG_KEY: KEY });
    assert.equal(second.code, 0, second.stderr);
    const seqs = seqsIn(out);
    assert.equal(new Set(seqs).size, seqs.length, `${seqs.length - new Set(seqs).size} rows twice`);
    assert.equal(seqs.length, rows.length, 'none missing');
    const pagesAgain = standin.pagesAnswered - pagesBefore;
    assert.ok(pagesAgain < standin.pagesAnswered - 10, 'the run again did not start over');
    assert.ok(standin.served.some((s) => s.status === 429), 'throttled along the way');
    assert.ok(standin.peakInFlight <= 3);

    const report = JSON.parse(second.stdout) as { input: { records: number; format: string; posthog: { rows: number } }; services: Array<{ service: string; records_seen: number; errors_seen: number; errors_kept: number }> };
    assert.equal(report.input.format, 'posthog');
    assert.equal(report.input.records, rows.length);
    assert.deepEqual(report.services.map((s) => s.service), ['api', 'worker']);
    assert.equal(report.services.reduce((n, s) => n + s.records_seen, 0), rows.length);
    const errors = rows.filter((r) => r.severity_number >= 17).length;
    assert.deepEqual([report.services.reduce((n, s) => n + s.errors_seen, 0), report.services.reduce((n, s) => n + s.errors_kept, 0)], [errors, errors]);
  });

  it('on a terminal, draws a progress bar of slices and rows (script(1) gives it one)', async () => {
    standin.throttleEvery = 0;
    const out = mkdtempSync(path.join(os.tmpdir(), 'logsift-analyze-posthog-'));
    const command = [process.execPath, BIN, 'analyze', '--posthog', host, '--project', '7', '--from', isoMicros(FROM_US), '--to', isoMicros(FROM_US + 6 * 3_600_000_000), '--out', out, '--no-tuner', '--json']
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(' ');
    const run = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, LOGSIFT_POSTHOG_KEY: KEY } });
    let screen = '';
    run.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    const [code] = await once(run, 'exit');
    assert.equal(code, 0, screen.slice(-500));
    const frames = screen.split('\r').filter((f) => f.startsWith('PostHog ['));
    assert.ok(frames.length >= 2, `${frames.length} frames`);
    assert.match(frames.at(-1)!, /^PostHog \[#{30}\] 6\/6 slices {2}\d+ rows/);
  });

  it('says what is missing: no key, no project, a range backwards', async () => {
    const nowhere = 'http://127.0.0.1:9';
    const noKey = await runCli(['analyze', '--posthog', nowhere, '--project', '7'], { LOGSIFT_POSTHOG_KEY: '' });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /LOGSIFT_POSTHOG_KEY/);
    const noProject = await runCli(['analyze', '--posthog', host], { LOGSIFT_POSTHOG_KEY: KEY });
    assert.match(noProject.stderr, /--project/);
    const backwards = await runCli(['analyze', '--posthog', nowhere, '--project', '7', '--from', '2026-12-02T00:00:00Z', '--to', '2026-12-01T00:00:00Z'], { LOGSIFT_POSTHOG_KEY: KEY });
    assert.match(backwards.stderr, /from must be before to/);
    const both = await runCli(['analyze', '--posthog', nowhere, '--project', '7', '--input', 'x.log'], { LOGSIFT_POSTHOG_KEY: KEY });
    assert.match(both.stderr, /one source/);
  });
});
