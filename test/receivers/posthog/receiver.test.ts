// The `posthog` receiver in a real daemon: logs read back from the stand-in flow through the pipeline into
// a file exporter; a daemon stopped in the middle and started again on the same data directory goes on
// from its checkpoints, and the file holds every row once.
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfigText } from '../../../pipeline/load_config.js';
import { builtinRegistry } from '../../../cmd/components.js';
import { readFileExport } from '../../support/file_output.js';
import { startDaemon } from '../../support/daemon.js';
import { fakeClock } from '../../support/fake_clock.js';
import { PosthogQueryStandin, isoMicros } from '../../support/posthog_query_standin.js';
import { posthogRows } from '../../support/posthog_rows.js';

const FROM_US = Date.UTC(2026, 10, 29, 0, 0, 0) * 1000;
const TO_US = FROM_US + 12 * 3_600_000_000;
const KEY = 'phx_receiver_test_key';

/** Log lines as the daemon writes them, with an event per line (so a test waits on a line, not a timer). */
function watchedLogs(): { lines: string[]; events: EventEmitter } {
  const lines: string[] = [];
  const events = new EventEmitter();
  const push = lines.push.bind(lines);
  lines.push = (...items: string[]) => {
    const n = push(...items);
    for (const item of items) events.emit('line', item);
    return n;
  };
  return { lines, events };
}

function lineWith(events: EventEmitter, text: string): Promise<string> {
  return new Promise((resolve) => {
    const on = (line: string) => {
      if (line.includes(text)) {
        events.off('line', on);
        resolve(line);
      }
    };
    events.on('line', on);
  });
}

function config(host: string, dir: string, key = KEY): string {
  return `receivers:
  posthog:
    endpoint: "${host}"
    project_id: "7"
    personal_api_key: "${key}"
    from: "${isoMicros(FROM_US)}"
    to: "${isoMicros(TO_US)}"
    slice: 1h
    page_size: 1000
exporters:
  file: { path: "${dir}/out.jsonl" }
service:
  data_dir: "${dir}/data"
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [posthog], exporters: [file] }
`;
}

describe('the posthog receiver', () => {
  const rows = posthogRows(30_000, FROM_US, TO_US);
  const standin = new PosthogQueryStandin(rows);
  standin.keys.set(KEY, ['logs:read']);
  let host = '';
  before(async () => {
    host = await standin.start();
  });
  after(() => standin.stop());

  it('feeds a pipeline; stopped half-way and started again, it goes on from its checkpoints and every row arrives once', async () => {
    standin.throttleEvery = 7;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-posthog-receiver-'));
    const first = watchedLogs();
    const d1 = await startDaemon(config(host, dir), { logs: first.lines });
    // Stopped once 12 pages (of about 30) were answered.
    await standin.pagesReached(12);
    await d1.daemon.stop();
    const partial = readFileExport(path.join(dir, 'out.jsonl')).length;
    assert.ok(partial > 0 && partial < rows.length, `${partial} rows before the stop`);
    assert.ok(!first.lines.some((l) => l.includes('PostHog backfill finished')));
    const pagesBefore = standin.pagesAnswered;

    const second = watchedLogs();
    const finished = lineWith(second.events, 'PostHog backfill finished');
    const d2 = await startDaemon(config(host, dir), { logs: second.lines });
    try {
      const line = JSON.parse(await finished) as { rows: number; slices: number; slicesDone: number };
      assert.deepEqual([line.rows, line.slicesDone, line.slices], [rows.length, 12, 12]);
      // The second daemon's metrics count what it delivered: the rest of the rows (at least).
      const metrics = await (await fetch(`http://127.0.0.1:${d2.telemetryPort}/metrics`)).text();
      const accepted = Number(/logsift_receiver_accepted_log_records_total\{receiver="posthog",transport="posthog"\} (\d+)/.exec(metrics)?.[1]);
      assert.ok(accepted >= rows.length - partial && accepted < rows.length, `${accepted} accepted by the second daemon`);
    } finally {
      await d2.daemon.stop();
    }
    const seqs = readFileExport(path.join(dir, 'out.jsonl')).map((r) => Number(r.record.attributes!.find((a) => a.key === 'seq')!.value.stringValue));
    assert.equal(new Set(seqs).size, seqs.length, `${seqs.length - new Set(seqs).size} rows twice`);
    assert.equal(seqs.length, rows.length);
    const pagesAfter = standin.pagesAnswered - pagesBefore;
    // A full read takes a page per 1,000 rows of each slice (and one more where a slice is a whole number of pages).
    const perSlice = new Map<number, number>();
    for (const r of rows) perSlice.set(Math.floor((r.us - FROM_US) / 3_600_000_000), (perSlice.get(Math.floor((r.us - FROM_US) / 3_600_000_000)) ?? 0) + 1);
    const fullRead = [...perSlice.values()].reduce((n, c) => n + Math.floor(c / 1000) + 1, 0);
    // Resumed, each of the (at most 3) slices being read when it stopped may read one page again.
    assert.ok(pagesAfter <= fullRead - pagesBefore + 3, `the second daemon read ${pagesAfter} pages; a full read is ${fullRead}, the first read ${pagesBefore}`);
  });

  it('up to "now": a daemon started later reads on from where the last one ended, nothing twice, no gap', async () => {
    const { fake, clock } = fakeClock();
    const HOUR = 3_600_000_000;
    const nowUs = fake.now * 1000;
    // Rows from three hours before the first start to four hours after it; the second start comes three hours
    // after the first, an hour more than `from` reaches back: a new range of "the last 2h" would leave a gap.
    const following = new PosthogQueryStandin(posthogRows(6000, nowUs - 3 * HOUR, nowUs + 4 * HOUR));
    following.keys.set(KEY, ['logs:read']);
    const url = await following.start();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-posthog-receiver-'));
    const yaml = config(url, dir).replace(/from: ".*"/, 'from: "2h"').replace(/to: ".*"/, 'to: now');
    try {
      for (const advance of [0, 3 * 3_600_000]) {
        fake.tick(advance);
        const logs = watchedLogs();
        const finished = lineWith(logs.events, 'PostHog backfill finished');
        const d = await startDaemon(yaml, { clock, logs: logs.lines });
        await finished;
        await d.daemon.stop();
      }
      const seqs = readFileExport(path.join(dir, 'out.jsonl')).map((r) => Number(r.record.attributes!.find((a) => a.key === 'seq')!.value.stringValue));
      const expected = posthogRows(6000, nowUs - 3 * HOUR, nowUs + 4 * HOUR).filter((r) => r.us >= nowUs - 2 * HOUR && r.us < nowUs + 3 * HOUR);
      assert.equal(new Set(seqs).size, seqs.length, 'nothing twice');
      assert.deepEqual([...seqs].sort((a, b) => a - b), expected.map((r) => Number(r.attributes.seq)).sort((a, b) => a - b), 'the first start\'s two hours, then the three hours since');
    } finally {
      await following.stop();
    }
  });

  it('a refused key stops the backfill with a logged reason, and the daemon goes on', async () => {
    const logs = watchedLogs();
    const stopped = lineWith(logs.events, 'LOGSIFT_ERR_BACKFILL');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-posthog-receiver-'));
    const d = await startDaemon(config(host, dir, 'phx_not_a_key_it_knows'), { logs: logs.lines });
    try {
      assert.match(await stopped, /personal API key/);
      assert.equal(d.daemon.constructor.name, 'Daemon');
    } finally {
      await d.daemon.stop();
    }
  });

  it('refuses a project token and a range that is none, when the config is read', () => {
    const text = `receivers:
  posthog: { project_id: "7", personal_api_key: "phc_project_token", from: "2026-12-02T00:00:00Z", to: "2026-12-01T00:00:00Z" }
exporters:
  nop: {}
service:
  pipelines:
    logs: { receivers: [posthog], exporters: [nop] }
`;
    const loaded = parseConfigText(text, builtinRegistry(), {});
    assert.equal(loaded.kind, 'invalid');
    const errors = (loaded as { errors: string[] }).errors.join('\n');
    assert.match(errors, /personal_api_key.*project token \(phc_\)/);
    assert.match(errors, /from must be before to/);
  });
});
