// The PostHog backfill against the read-back stand-in, through the real client: pages, slices, bursts wider
// than a page, rows on a slice's boundary, throttling, an old instance without cursors, refused keys, and a
// crash between a page written and its checkpoint — every row delivered exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { decodeJsonExportRequest } from '../../../proto/otlp_json.js';
import { Backfill, type BackfillSink, type Slice } from '../../../receivers/posthog/backfill.js';
import { PosthogLogsClient, PosthogQueryError, type PosthogLogRow } from '../../../receivers/posthog/query_client.js';
import { SliceFiles } from '../../../receivers/posthog/slice_files.js';
import { Store } from '../../../store/store.js';
import { PosthogQueryStandin, type StoredLogRow } from '../../support/posthog_query_standin.js';
import { posthogRows, rowsAtOneInstant, seqsByLine } from '../../support/posthog_rows.js';

const HOUR_US = 3_600_000_000;
const FROM_US = Date.UTC(2026, 10, 30, 0, 0, 0) * 1000;
const KEY = 'phx_backfill_test_key';

let standin: PosthogQueryStandin | undefined;
afterEach(async () => {
  await standin?.stop();
  standin = undefined;
});

async function serve(rows: StoredLogRow[], scopes = ['logs:read', 'query:read']): Promise<{ standin: PosthogQueryStandin; host: string }> {
  standin = new PosthogQueryStandin(rows);
  standin.keys.set(KEY, scopes);
  return { standin, host: await standin.start() };
}

function client(host: string, waits: number[] = [], pageSize = 2000, key = KEY): PosthogLogsClient {
  return new PosthogLogsClient({ host, projectId: '1', personalApiKey: key, services: [], pageSize, maxInFlight: 3, maxRetries: 5, sleep: async (ms) => void waits.push(ms) });
}

function deliveredPages(files: SliceFiles): number[][] {
  return seqsByLine(files.files());
}

function deliveredSeqs(files: SliceFiles): number[] {
  return deliveredPages(files).flat();
}

function assertEachOnce(seqs: number[], rows: StoredLogRow[]): void {
  const expected = rows.map((r) => Number(r.attributes.seq)).sort((a, b) => a - b);
  assert.equal(new Set(seqs).size, seqs.length, `${seqs.length - new Set(seqs).size} rows delivered twice`);
  assert.deepEqual([...seqs].sort((a, b) => a - b), expected);
}

function backfill(store: Store, c: PosthogLogsClient, sink: BackfillSink, hours: number, job = 'job'): Backfill {
  return new Backfill({ job, fromUs: FROM_US, toUs: FROM_US + hours * HOUR_US, sliceUs: HOUR_US, concurrency: 3, store, client: c, sink });
}

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'logsift-backfill-'));
}

describe('PostHog backfill', () => {
  it('reads every row once across pages and slices, in time order, with throttled queries waiting their Retry-After', async () => {
    const rows = posthogRows(20_000, FROM_US, FROM_US + 6 * HOUR_US);
    const { standin, host } = await serve(rows);
    standin.throttleEvery = 5;
    standin.scripted.push({ status: 429, retryAfter: '7' }, { status: 503 });
    const dir = tmp();
    const files = new SliceFiles(path.join(dir, 'slices'));
    const waits: number[] = [];
    const result = await backfill(new Store(path.join(dir, 'db'), 'off'), client(host, waits, 1000), files, 6).run();
    assert.deepEqual([result.rows, result.slicesDone, result.slices, result.mode], [20_000, 6, 6, 'logs_query']);
    assertEachOnce(deliveredSeqs(files), rows);
    assert.ok(waits.includes(7000), `Retry-After: 7 waited as 7 s (waits: ${waits.slice(0, 5).join(', ')})`);
    assert.ok(waits.some((ms) => ms >= 500 && ms <= 1500), 'a 503 without Retry-After backs off about a second');
    assert.ok(standin.served.filter((s) => s.status === 429).length >= 5, 'throttled along the way');
    // Files in slice order are the logs in time order, page after page (a page's records are grouped by resource).
    const times = new Map(rows.map((r) => [Number(r.attributes.seq), r.us]));
    const spans = deliveredPages(files).map((page) => page.map((s) => times.get(s)!)).map((ts) => [Math.min(...ts), Math.max(...ts)] as const);
    assert.ok(spans.every(([first], i) => i === 0 || first >= spans[i - 1]![1]), 'pages in time order');
  });

  it('hands on each row as the record PostHog stored: time to the microsecond, ids, severity, body, resource, attributes', async () => {
    const rows = posthogRows(3000, FROM_US, FROM_US + HOUR_US);
    for (const legacy of [false, true]) {
      const { standin, host } = await serve(rows);
      standin.legacy = legacy;
      const dir = tmp();
      const files = new SliceFiles(path.join(dir, 'slices'));
      await backfill(new Store(path.join(dir, 'db'), 'off'), client(host), files, 1).run();
      const bySeq = new Map(rows.map((r) => [Number(r.attributes.seq), r]));
      let checked = 0;
      for (const line of readFileSync(files.files()[0]!, 'utf8').split('\n').filter(Boolean)) {
        for (const rl of decodeJsonExportRequest(line).resourceLogs ?? []) {
          const resource = Object.fromEntries(rl.resource!.attributes!.map((a) => [a.key, a.value!.stringValue]));
          for (const r of rl.scopeLogs![0]!.logRecords!) {
            const row = bySeq.get(Number(r.attributes!.find((a) => a.key === 'seq')!.value!.stringValue))!;
            assert.equal(String(r.timeUnixNano), String(BigInt(row.us) * 1000n));
            assert.equal(Buffer.from(r.traceId!).toString('hex'), row.trace_id);
            assert.equal(Buffer.from(r.spanId!).toString('hex'), row.span_id);
            assert.deepEqual([r.severityNumber, r.severityText, r.body!.stringValue], [row.severity_number, row.severity_text, row.body]);
            assert.deepEqual(resource, row.resource_attributes, legacy ? 'HogQL: service.name from its column' : 'logs query');
            checked += 1;
          }
        }
      }
      assert.equal(checked, rows.length);
      await standin.stop();
    }
  });

  it('takes a burst wider than a page at one microsecond, and a row on a slice boundary, once each, by cursor and by HogQL', async () => {
    const boundary = FROM_US + HOUR_US;
    const rows = [...posthogRows(3000, FROM_US, FROM_US + 2 * HOUR_US), ...rowsAtOneInstant(4500, FROM_US + HOUR_US / 2, 100_000), ...rowsAtOneInstant(3, boundary, 200_000)];
    for (const legacy of [false, true]) {
      const { standin, host } = await serve(rows);
      standin.legacy = legacy;
      const dir = tmp();
      const files = new SliceFiles(path.join(dir, 'slices'));
      const result = await backfill(new Store(path.join(dir, 'db'), 'off'), client(host), files, 2).run();
      assert.equal(result.mode, legacy ? 'hogql' : 'logs_query');
      assertEachOnce(deliveredSeqs(files), rows);
      if (!legacy) assert.ok(result.skipped >= 3, 'the inclusive date_to handed the boundary rows to the first slice too; they were left to the second');
      await standin.stop();
    }
  });

  it('an old instance without cursors is read through HogQL after one logs query', async () => {
    const rows = posthogRows(9000, FROM_US, FROM_US + 4 * HOUR_US);
    const { standin, host } = await serve(rows);
    standin.legacy = true;
    const dir = tmp();
    const files = new SliceFiles(path.join(dir, 'slices'));
    const result = await backfill(new Store(path.join(dir, 'db'), 'off'), client(host), files, 4).run();
    assert.equal(result.mode, 'hogql');
    assertEachOnce(deliveredSeqs(files), rows);
    assert.equal(standin.served.filter((s) => s.route === 'logs').length, 1);
    // The service column comes back as the resource's service.name.
    const first = decodeJsonExportRequest(readFileSync(files.files()[0]!, 'utf8').split('\n')[0]!);
    assert.ok(first.resourceLogs!.every((rl) => rl.resource!.attributes!.some((a) => a.key === 'service.name')));
  });

  it('reads only the services asked for, by cursor and by HogQL', async () => {
    const rows = posthogRows(6000, FROM_US, FROM_US + 2 * HOUR_US, ['api', 'worker', 'billing']);
    for (const legacy of [false, true]) {
      const { standin, host } = await serve(rows);
      standin.legacy = legacy;
      const dir = tmp();
      const files = new SliceFiles(path.join(dir, 'slices'));
      const c = new PosthogLogsClient({ host, projectId: '1', personalApiKey: KEY, services: ['billing', 'api'], pageSize: 1000, maxInFlight: 3, maxRetries: 1, sleep: async () => {} });
      await backfill(new Store(path.join(dir, 'db'), 'off'), c, files, 2).run();
      assertEachOnce(deliveredSeqs(files), rows.filter((r) => r.service_name !== 'worker'));
      await standin.stop();
    }
  });

  it('leaves out and counts rows it cannot read, and reads the rest: a malformed row never stops a backfill', async () => {
    const rows = posthogRows(5000, FROM_US, FROM_US + 2 * HOUR_US);
    const { standin, host } = await serve(rows);
    const seqOf = (r: StoredLogRow) => Number(r.attributes.seq);
    standin.mangle = (result, row) => {
      const k = seqOf(row) % 250;
      if (k === 0) result.timestamp = 'not a time';
      if (k === 1) result.uuid = null;
      if (k === 2) result.body = null;
      if (k === 3) result.severity_number = 'loud';
      if (k === 4) result.observed_timestamp = '2026-13-45';
      if (k === 5) result.attributes = { ...(result.attributes as object), nested: { deep: [1, 2] } };
    };
    const dir = tmp();
    const files = new SliceFiles(path.join(dir, 'slices'));
    const result = await backfill(new Store(path.join(dir, 'db'), 'off'), client(host), files, 2).run();
    const unreadable = rows.filter((r) => seqOf(r) % 250 <= 1);
    assert.equal(result.unreadable, unreadable.length);
    assertEachOnce(deliveredSeqs(files), rows.filter((r) => seqOf(r) % 250 > 1));
    const records = readFileSync(files.files()[0]!, 'utf8').split('\n').filter(Boolean).flatMap((l) => decodeJsonExportRequest(l).resourceLogs!.flatMap((rl) => rl.scopeLogs![0]!.logRecords!));
    const bySeq = new Map(records.map((r) => [Number(r.attributes!.find((a) => a.key === 'seq')!.value!.stringValue), r]));
    const sample = (k: number) => bySeq.get([...bySeq.keys()].find((seq) => seq % 250 === k)!)!;
    assert.equal(sample(2).body!.stringValue, '', 'a null body is an empty one');
    assert.ok([9, 17].includes(sample(3).severityNumber!), 'an unreadable severity number falls back to the text');
    assert.equal(String(sample(4).observedTimeUnixNano), String(sample(4).timeUnixNano), 'an unreadable observed time is the time');
    assert.equal(sample(5).attributes!.find((a) => a.key === 'nested')!.value!.stringValue, '{"deep":[1,2]}');
  });

  it('keeps at most 3 queries in flight, however many slices are read at once', async () => {
    const { standin, host } = await serve(posthogRows(6000, FROM_US, FROM_US + 12 * HOUR_US));
    standin.delayMs = 20;
    const dir = tmp();
    const c = client(host, [], 500);
    const b = new Backfill({ job: 'wide', fromUs: FROM_US, toUs: FROM_US + 12 * HOUR_US, sliceUs: HOUR_US, concurrency: 8, store: new Store(path.join(dir, 'db'), 'off'), client: c, sink: new SliceFiles(path.join(dir, 's')) });
    await b.run();
    assert.equal(standin.peakInFlight, 3, 'three at once, never more');
    assert.equal(c.peakInFlight, 3);
  });

  it('a crash between a page written and its checkpoint: the run again writes that page once', async () => {
    const rows = posthogRows(12_000, FROM_US, FROM_US + 3 * HOUR_US);
    const { host } = await serve(rows);
    const dir = tmp();
    const files = new SliceFiles(path.join(dir, 'slices'));
    const storeFile = path.join(dir, 'checkpoints.db');
    let pages = 0;
    const crashing: BackfillSink = {
      resume: (slice: Slice, offset: number) => files.resume(slice, offset),
      write: async (slice: Slice, page: PosthogLogRow[]) => {
        const offset = await files.write(slice, page);
        if (++pages === 5) throw new Error('crash after the write, before the checkpoint');
        return offset;
      },
    };
    const first = new Store(storeFile, 'normal');
    await assert.rejects(backfill(first, client(host, [], 1000), crashing, 3).run(), /crash after the write/);
    first.close();
    const partial = deliveredSeqs(files).length;
    const second = new Store(storeFile, 'normal');
    const served = standin!.served.length;
    const result = await backfill(second, client(host, [], 1000), files, 3).run();
    assertEachOnce(deliveredSeqs(files), rows);
    assert.equal(result.rows, rows.length);
    assert.ok(standin!.served.length - served < 12_000 / 1000 + 3, 'the run again read only what was not checkpointed');
    assert.ok(partial > 0, 'the first run had delivered pages');
    // Finished: a third run reads nothing.
    const before = standin!.served.length;
    await backfill(second, client(host, [], 1000), files, 3).run();
    assert.equal(standin!.served.length, before);
  });

  it('a key that is not a personal key, or lacks logs:read, is refused at once with what to fix', async () => {
    const { standin, host } = await serve(posthogRows(10, FROM_US, FROM_US + HOUR_US), ['query:read']);
    const dir = tmp();
    const run = (key: string) => backfill(new Store(path.join(dir, `${key}.db`), 'off'), client(host, [], 2000, key), new SliceFiles(path.join(dir, key)), 1, key).run();
    await assert.rejects(run('phc_project_token'), (e: PosthogQueryError) => e.status === 401 && /personal API key/.test(e.message));
    await assert.rejects(run(KEY), (e: PosthogQueryError) => e.status === 403 && /logs:read/.test(e.message));
    assert.equal(standin.served.length, 2, 'neither retried');
  });
});
