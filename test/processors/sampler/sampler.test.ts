// The sampler on a fake clock: each always-keep rule, static rates whose re-weighted counts come back to the
// truth, decisions consistent by trace id, the exact ledger (and its row in the store), dynamic budget
// convergence (records, bytes, a fraction of the volume, a budget shared by services) with rare patterns kept
// whole, sample counts that add up to the truth, ledger events, dry run, and policy validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import { mergeDefaults } from '../../../config/merge.js';
import { Delivery } from '../../../pipeline/ack.js';
import { LogBatch } from '../../../pipeline/batch.js';
import { ExportLogsServiceRequest, LogRecordType, decodeExportRequest, encodeExportRequest } from '../../../proto/otlp.js';
import type { DaemonEvent } from '../../../pipeline/event_bus.js';
import { dynamicKeep } from '../../../processors/sampler/dynamic_rates.js';
import { samplerProcessorFactory, type SamplerConfig } from '../../../processors/sampler/factory.js';
import { fakeClock } from '../../support/fake_clock.js';
import { batchOf, traceIdFor, type RecordSpec } from '../../support/records.js';
import { testProcessorSettings } from '../../support/settings.js';
import { SAMPLE_COUNT_ATTRIBUTE, SAMPLE_RATE_ATTRIBUTE, SAMPLE_REASON_ATTRIBUTE } from '../../../processors/sampler/sample_attributes.js';

async function sampler(overrides: Record<string, unknown> = {}) {
  const { fake, clock } = fakeClock();
  const config = mergeDefaults(samplerProcessorFactory.defaultConfig(), overrides) as SamplerConfig;
  assert.deepEqual(samplerProcessorFactory.validate(config), []);
  const settings = testProcessorSettings('sampler', { clock });
  const processor = samplerProcessorFactory.create(settings, config);
  await processor.start();
  const input = new Subject<LogBatch>();
  const kept: Array<{ body: string; rate: number; count: number; reason: string; pattern: string; service: string; severity: number }> = [];
  const out: LogBatch[] = [];
  input.pipe(processor.operator).subscribe((batch) => {
    out.push(batch);
    for (const group of batch.groups()) {
      for (const r of group.records) {
        kept.push({
          body: r.bodyText,
          rate: Number(r.attributes.get(SAMPLE_RATE_ATTRIBUTE)),
          count: Number(r.attributes.get(SAMPLE_COUNT_ATTRIBUTE)),
          reason: String(r.attributes.get(SAMPLE_REASON_ATTRIBUTE)),
          pattern: String(r.attributes.get('logsift.pattern.id')),
          service: group.resource.serviceName ?? '',
          severity: r.severityNumber,
        });
      }
    }
  });
  return { fake, settings, processor, kept, out, send: (records: RecordSpec[], service?: string) => input.next(batchOf(records, service)), sendBatch: (batch: LogBatch) => input.next(batch) };
}

describe('sampler', () => {
  it('counts the protobuf bytes it saw and the bytes it kept, for what sampling saved in money', async () => {
    const s = await sampler({ policy: { mode: 'static', severity_keep: { INFO: 0 }, first_k_per_window: 1 }, min_keep: 0 });
    const batch = batchOf([...Array.from({ length: 50 }, (_, i) => ({ body: `GET /items/${i} 200`, pattern: 'G' })), { body: 'boom', severity: 17, pattern: 'E' }]);
    const seen = [...batch.groups()].flatMap((g) => g.records).reduce((n, r) => n + r.receivedBytes, 0);
    s.sendBatch(batch);
    const kept = s.out.flatMap((b) => [...b.groups()].flatMap((g) => g.records)).reduce((n, r) => n + r.sentBytes, 0);
    const counted = async (direction: string) => (await s.settings.telemetry.registry.getSingleMetric('logsift_sampler_wire_bytes_total')!.get()).values.find((v) => v.labels.direction === direction)?.value;
    assert.equal(s.kept.length, 2);
    assert.equal(await counted('seen'), seen);
    assert.equal(await counted('kept'), kept);
    assert.ok(kept < seen / 5, `${kept} of ${seen}`);
  });

  it('always keeps ERROR and above, whatever the policy says, and records matching a keep rule', async () => {
    const s = await sampler({
      policy: { mode: 'static', severity_keep: { INFO: 0, ERROR: 0, FATAL: 0 }, first_k_per_window: 0, keep_rules: [{ attribute: 'http.status_code', op: '>=', value: 500 }] },
      min_keep: 0,
    });
    s.send([
      { body: 'boom', severity: 17 },
      { body: 'dead', severity: 21 },
      { body: 'ok', severity: 9, attributes: { 'http.status_code': 200 } },
      { body: 'bad gateway', severity: 9, attributes: { 'http.status_code': 502 } },
      { body: 'quiet', severity: 9 },
    ]);
    assert.deepEqual(s.kept.map((k) => [k.body, k.reason, k.rate]), [
      ['boom', 'severity', 1],
      ['dead', 'severity', 1],
      ['bad gateway', 'rule', 1],
    ]);
  });

  it('leaves sample_rate and sample_reason off kept records when asked; sample_count still makes the counts exact', async () => {
    const s = await sampler({ window: '10s', attributes: { sample_rate: false, sample_reason: false }, policy: { mode: 'static', severity_keep: { INFO: 0.1 }, first_k_per_window: 1 } });
    s.send(Array.from({ length: 500 }, (_, i) => ({ body: `x${i}`, pattern: 'X', traceId: traceIdFor(i) })));
    s.send([{ body: 'err', severity: 17, pattern: 'E' }]);
    s.fake.tick(10_000);
    s.send([{ body: 'x-next', pattern: 'X', traceId: traceIdFor(9999) }]);
    const keys = new Set(s.out.flatMap((b) => [...b.groups()].flatMap((g) => g.records.flatMap((r) => Object.keys(r.attributes.toObject())))));
    assert.ok(!keys.has(SAMPLE_RATE_ATTRIBUTE) && !keys.has(SAMPLE_REASON_ATTRIBUTE), [...keys].join(', '));
    assert.ok(keys.has(SAMPLE_COUNT_ATTRIBUTE));
    const xs = s.kept.filter((k) => k.pattern === 'X');
    assert.ok(xs.length > 10 && xs.length < 150);
    // The first record of the next window carries what the last window dropped after its last kept one.
    assert.ok(xs.reduce((n, k) => n + k.count, 0) >= 500 - 50 && xs.reduce((n, k) => n + k.count, 0) <= 501);
  });

  it('keeps the first K records of every pattern in every window', async () => {
    const s = await sampler({ window: '10s', policy: { mode: 'static', severity_keep: { INFO: 0 }, first_k_per_window: 3 }, min_keep: 0 });
    s.send(Array.from({ length: 10 }, (_, i) => ({ body: `a${i}`, pattern: 'A' })));
    s.send(Array.from({ length: 2 }, (_, i) => ({ body: `b${i}`, pattern: 'B' })));
    assert.deepEqual(s.kept.map((k) => k.body), ['a0', 'a1', 'a2', 'b0', 'b1']);
    s.fake.tick(10_000); // the next window: first K again
    s.send(Array.from({ length: 5 }, (_, i) => ({ body: `a${i + 10}`, pattern: 'A' })));
    assert.deepEqual(s.kept.slice(5).map((k) => [k.body, k.reason]), [['a10', 'first'], ['a11', 'first'], ['a12', 'first']]);
  });

  it('static rates: kept records carry 1/p, and re-weighted counts come back to the truth', async () => {
    const s = await sampler({ policy: { mode: 'static', severity_keep: { INFO: 0.1, DEBUG: 0.02 }, first_k_per_window: 0 } });
    const records: RecordSpec[] = [];
    for (let i = 0; i < 20_000; i++) records.push({ body: `info ${i}`, severity: 9, pattern: 'I', traceId: traceIdFor(i) });
    for (let i = 0; i < 50_000; i++) records.push({ body: `debug ${i}`, severity: 5, pattern: 'D', traceId: traceIdFor(100_000 + i) });
    s.send(records);
    const estimate = (pattern: string) => s.kept.filter((k) => k.pattern === pattern).reduce((n, k) => n + k.rate, 0);
    assert.ok(s.kept.filter((k) => k.pattern === 'I').every((k) => Math.abs(k.rate - 10) < 1e-9));
    assert.ok(Math.abs(estimate('I') - 20_000) / 20_000 < 0.05, `INFO estimate ${estimate('I')}`);
    assert.ok(Math.abs(estimate('D') - 50_000) / 50_000 < 0.08, `DEBUG estimate ${estimate('D')}`);
    assert.ok(s.kept.length < 0.15 * records.length, `kept ${s.kept.length} of ${records.length}`);
  });

  it('decisions are consistent by trace id: a request kept at the lower rate is kept at the higher one too', async () => {
    const s = await sampler({ policy: { mode: 'static', pattern_keep: { low: 0.2, high: 0.5 }, first_k_per_window: 0 } });
    const records: RecordSpec[] = [];
    for (let i = 0; i < 2000; i++) {
      records.push({ body: `low ${i}`, pattern: 'low', traceId: traceIdFor(i) });
      records.push({ body: `high ${i}`, pattern: 'high', traceId: traceIdFor(i) });
    }
    s.send(records);
    const kept = new Set(s.kept.map((k) => k.body));
    let lowKept = 0;
    for (let i = 0; i < 2000; i++) {
      if (!kept.has(`low ${i}`)) continue;
      lowKept += 1;
      assert.ok(kept.has(`high ${i}`), `trace ${i}: kept at 0.2 but not at 0.5`);
    }
    assert.ok(lowKept > 300 && lowKept < 500, `${lowKept} of 2000 at 0.2`);
  });

  it('a trace id of zeros is no trace: such records are sampled one by one, not all kept or all dropped', async () => {
    // What SDKs send for records logged outside a span (the Python SDK before 1.26, Go auto-instrumentation).
    const s = await sampler({ window: '1h', policy: { mode: 'static', severity_keep: { INFO: 0.2 }, first_k_per_window: 0 }, min_keep: 0 });
    s.send(Array.from({ length: 2000 }, (_, i) => ({ body: `zero ${i}`, pattern: 'Z', traceId: '0'.repeat(32) })));
    assert.ok(s.kept.length > 300 && s.kept.length < 500, `${s.kept.length} of 2000 kept at 0.2`);
  });

  it('keeps an exact ledger per window and pattern, saved to the store', async () => {
    const s = await sampler({ window: '10s', policy: { mode: 'static', severity_keep: { INFO: 0.25 }, first_k_per_window: 2 } });
    s.send(Array.from({ length: 400 }, (_, i) => ({ body: `x${i}`, pattern: 'X', traceId: traceIdFor(i) })));
    s.send([{ body: 'err', severity: 17, pattern: 'E' }]);
    s.fake.tick(10_000);
    s.send(Array.from({ length: 100 }, (_, i) => ({ body: `y${i}`, pattern: 'X', traceId: traceIdFor(1000 + i) })));
    await s.processor.shutdown();
    const rows = s.settings.store.get().ledger('api');
    const keptX = s.kept.filter((k) => k.pattern === 'X');
    const xRows = rows.filter((r) => r.pattern === 'X');
    assert.equal(xRows.length, 2, 'one row per window');
    assert.deepEqual(xRows.map((r) => r.seen), [400, 100]);
    assert.equal(xRows.reduce((n, r) => n + r.kept, 0), keptX.length, 'kept in the ledger = records that left');
    for (const r of rows) assert.equal(r.seen, r.kept + r.dropped);
    assert.equal(xRows[0]!.bytes_seen, Array.from({ length: 400 }, (_, i) => `x${i}`.length).reduce((a, b) => a + b, 0));
    const { wire_bytes_seen: _seen, wire_bytes_kept: _kept, wire_bytes_boosted: _boosted, ...e } = rows.find((r) => r.pattern === 'E')!;
    assert.deepEqual(e, { window_start: xRows[0]!.window_start, service: 'api', pattern: 'E', seen: 1, kept: 1, dropped: 0, bytes_seen: 3, bytes_kept: 3, boosted: 0, bytes_boosted: 0, errors_seen: 1, errors_kept: 1 });
    assert.deepEqual([xRows[0]!.errors_seen, xRows[0]!.errors_kept], [0, 0], 'INFO records are no errors');
  });

  it('passes records sampled upstream (an SDK, a sidecar) as they came: never drawn for again, their counts kept, the ledger counting them kept', async () => {
    const s = await sampler({ window: '10s', policy: { mode: 'static', severity_keep: { INFO: 0.01 }, first_k_per_window: 0 } });
    const upstream = Array.from({ length: 300 }, (_, i) => ({ body: `u${i}`, pattern: 'U', traceId: traceIdFor(i), attributes: { [SAMPLE_COUNT_ATTRIBUTE]: 7, [SAMPLE_REASON_ATTRIBUTE]: 'sampled' } }));
    const local = Array.from({ length: 300 }, (_, i) => ({ body: `l${i}`, pattern: 'L', traceId: traceIdFor(1000 + i) }));
    s.send([...upstream, ...local]);
    await s.processor.shutdown();
    const keptU = s.kept.filter((k) => k.pattern === 'U');
    assert.equal(keptU.length, 300, 'every record sampled upstream passes');
    assert.ok(keptU.every((k) => k.count === 7 && k.reason === 'sampled'), 'its count and reason are the ones it came with');
    assert.ok(s.kept.filter((k) => k.pattern === 'L').length < 30, 'records sampled here are drawn for as before');
    const row = s.settings.store.get().ledger('api').find((r) => r.pattern === 'U')!;
    assert.deepEqual([row.seen, row.kept, row.dropped], [300, 300, 0]);
  });

  it('counts protobuf bytes too: every record as received, each kept one as sent with the attributes added', async () => {
    const s = await sampler({ window: '10s', policy: { mode: 'static', severity_keep: { INFO: 0.25 }, first_k_per_window: 2 } });
    const wire = encodeExportRequest(batchOf(Array.from({ length: 300 }, (_, i) => ({ body: `GET /cart/${i} took ${i * 7} ms`, pattern: 'X', traceId: traceIdFor(i) }))).toExportRequest());
    // Sizes measured by protobufjs alone, on what a backend would have been sent and on what was sent.
    const size = (request: Uint8Array) => (ExportLogsServiceRequest.decode(request).toJSON().resourceLogs as Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }>)
      .flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords))
      .reduce((n: number, r) => n + LogRecordType.encode(LogRecordType.fromObject(r as object)).finish().byteLength, 0);
    s.sendBatch(LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength));
    await s.processor.shutdown();
    const [row] = s.settings.store.get().ledger('api');
    assert.ok(row!.kept > 10 && row!.kept < 300, `${row!.kept} kept`);
    assert.equal(row!.wire_bytes_seen, size(wire), 'seen: the records as they arrived');
    assert.equal(row!.wire_bytes_kept, s.out.reduce((n, b) => n + size(encodeExportRequest(b.toExportRequest())), 0), 'kept: the records as they left, sample attributes included');
    assert.ok(row!.wire_bytes_kept > (row!.wire_bytes_seen * row!.kept) / 300, 'a kept record costs more than it did: logsift adds attributes');
  });

  it('dynamic mode converges on the budget, rare patterns kept whole, the loudest giving up most', async () => {
    const s = await sampler({ window: '1s', policy: { mode: 'dynamic', budget: { records_per_second: 200, keep_fraction: null }, first_k_per_window: 0 } });
    const volumes: Record<string, number> = { loud: 5000, medium: 500, quiet: 50, rare: 1 };
    const keptPerWindow: number[] = [];
    let trace = 0;
    for (let w = 0; w < 8; w++) {
      const before = s.kept.length;
      const records: RecordSpec[] = [];
      for (const [pattern, n] of Object.entries(volumes)) for (let i = 0; i < n; i++) records.push({ body: `${pattern} ${i}`, pattern, traceId: traceIdFor(trace++) });
      s.send(records);
      keptPerWindow.push(s.kept.length - before);
      s.fake.tick(1000);
    }
    const settled = keptPerWindow.slice(3);
    for (const n of settled) assert.ok(n > 160 && n < 240, `kept ${n} a window against a budget of 200 (${keptPerWindow})`);
    const lastWindow = s.kept.slice(-settled[settled.length - 1]!);
    assert.ok(lastWindow.some((k) => k.pattern === 'rare' && k.rate === 1), 'the rare pattern is kept whole');
    const rateOf = (p: string) => lastWindow.find((k) => k.pattern === p)!.rate;
    assert.ok(rateOf('loud') > rateOf('medium') && rateOf('medium') > rateOf('quiet'));
  });

  it('sample counts add up to the truth: each kept record carries the dropped records of its pattern and severity before it', async () => {
    const s = await sampler({ policy: { mode: 'static', severity_keep: { INFO: 0.05, DEBUG: 0.01 }, first_k_per_window: 1 } });
    const sent: Array<{ pattern: string; severity: number }> = [];
    let trace = 0;
    for (let w = 0; w < 6; w++) {
      const records: RecordSpec[] = [];
      for (let i = 0; i < 3000; i++) {
        const spec = i % 3 === 0 ? { pattern: 'mixed', severity: 5 } : { pattern: i % 3 === 1 ? 'mixed' : 'plain', severity: 9 };
        records.push({ body: `r${trace}`, ...spec, traceId: traceIdFor(trace++) });
        sent.push(spec);
      }
      s.send(records);
      s.fake.tick(60_000);
    }
    // What a kept record cannot carry yet: the records of its kind dropped after the last one kept.
    const lastKept = new Map<string, number>();
    for (const k of s.kept) lastKept.set(`${k.pattern}/${k.severity}`, Number(k.body.slice(1)));
    for (const kind of ['mixed/5', 'mixed/9', 'plain/9']) {
      const [pattern, severity] = kind.split('/');
      const truth = sent.filter((r, i) => r.pattern === pattern && r.severity === Number(severity) && i <= lastKept.get(kind)!).length;
      const counted = s.kept.filter((k) => k.pattern === pattern && k.severity === Number(severity)).reduce((n, k) => n + k.count, 0);
      assert.equal(counted, truth, `${kind}: the counts carried add up to every record up to the last kept`);
    }
    assert.ok(s.kept.length < 0.06 * sent.length, `kept ${s.kept.length} of ${sent.length}`);
  });

  it('dynamic mode with keep_fraction keeps that share of the volume, errors and first records included', async () => {
    const s = await sampler({ policy: { mode: 'dynamic', budget: { keep_fraction: 0.05 }, first_k_per_window: 1 } });
    const volumes: Record<string, number> = { loud: 20_000, medium: 2000, quiet: 200, rare: 1, failing: 300 };
    const keptPerWindow: number[] = [];
    const total = Object.values(volumes).reduce((a, b) => a + b, 0);
    let trace = 0;
    for (let w = 0; w < 8; w++) {
      const before = s.kept.length;
      const records: RecordSpec[] = [];
      for (const [pattern, n] of Object.entries(volumes)) for (let i = 0; i < n; i++) records.push({ body: `${pattern} ${i}`, pattern, severity: pattern === 'failing' ? 17 : 9, traceId: traceIdFor(trace++) });
      s.send(records);
      keptPerWindow.push(s.kept.length - before);
      s.fake.tick(60_000);
    }
    for (const n of keptPerWindow.slice(2)) assert.ok(Math.abs(n - 0.05 * total) < 0.01 * total, `kept ${n} of ${total} a window against 5% (${keptPerWindow})`);
    const last = s.kept.slice(-keptPerWindow[keptPerWindow.length - 1]!);
    assert.equal(last.filter((k) => k.pattern === 'failing').length, 300, 'every error kept');
    assert.ok(last.some((k) => k.pattern === 'rare'));
  });

  it('dynamic mode with a bytes budget keeps about that many bytes a window', async () => {
    const s = await sampler({ window: '1s', policy: { mode: 'dynamic', budget: { bytes_per_second: 20_000, keep_fraction: null }, first_k_per_window: 0 } });
    const keptBytes: number[] = [];
    let trace = 0;
    for (let w = 0; w < 8; w++) {
      const before = s.kept.length;
      const records: RecordSpec[] = [];
      for (let i = 0; i < 2000; i++) records.push({ body: `short ${i}`.padEnd(20, '.'), pattern: 'short', traceId: traceIdFor(trace++) });
      for (let i = 0; i < 2000; i++) records.push({ body: `long ${i}`.padEnd(200, '.'), pattern: 'long', traceId: traceIdFor(trace++) });
      s.send(records);
      keptBytes.push(s.kept.slice(before).reduce((n, k) => n + k.body.length, 0));
      s.fake.tick(1000);
    }
    for (const n of keptBytes.slice(2)) assert.ok(n > 16_000 && n < 24_000, `kept ${n} bytes a window against 20000 (${keptBytes})`);
  });

  it('a global budget is shared by the services that opt in, the rest keep their own', async () => {
    const s = await sampler({
      window: '1s',
      policy: { mode: 'dynamic', budget: { records_per_second: 300, keep_fraction: null, scope: 'global' }, first_k_per_window: 0 },
      services: { solo: { budget: { records_per_second: 100, scope: 'service' } } },
    });
    const perService: Array<Record<string, number>> = [];
    let trace = 0;
    for (let w = 0; w < 8; w++) {
      const before = s.kept.length;
      for (const service of ['a', 'b', 'solo']) {
        s.send(Array.from({ length: 3000 }, (_, i) => ({ body: `${service} ${i}`, pattern: 'p', traceId: traceIdFor(trace++) })), service);
      }
      const window: Record<string, number> = {};
      for (const k of s.kept.slice(before)) window[k.service] = (window[k.service] ?? 0) + 1;
      perService.push(window);
      s.fake.tick(1000);
    }
    for (const w of perService.slice(2)) {
      assert.ok(Math.abs(w.a! + w.b! - 300) < 60, `a + b kept ${w.a! + w.b!} against a shared 300 (${JSON.stringify(perService)})`);
      assert.ok(Math.abs(w.a! - w.b!) < 60, 'equal loads, equal shares');
      assert.ok(Math.abs(w.solo! - 100) < 30, `solo kept ${w.solo} against its own 100`);
    }
  });

  it('publishes each window\'s ledger as one event per service', async () => {
    const s = await sampler({ policy: { mode: 'static', severity_keep: { INFO: 0.1 }, first_k_per_window: 1 } });
    const events: DaemonEvent[] = [];
    s.settings.events.subscribe((e) => events.push(e));
    s.send(Array.from({ length: 100 }, (_, i) => ({ body: `x${i}`, pattern: 'X', traceId: traceIdFor(i) })));
    s.send([{ body: 'y', pattern: 'Y' }], 'web');
    s.fake.tick(60_000);
    s.send([{ body: 'next window', pattern: 'X' }]);
    s.fake.tick(10_000); // the ledger's flush interval
    // web's pattern saw nothing since: its window is closed all the same when the window ends.
    assert.deepEqual(events.map((e) => e.properties.service), ['api', 'web']);
    const [event] = events;
    assert.equal(event!.name, 'logsift sampling ledger');
    assert.equal(event!.timestamp, Date.UTC(2026, 10, 26));
    const keptX = s.kept.filter((k) => k.pattern === 'X' && k.body !== 'next window').length;
    const patterns = event!.properties.patterns as Array<Record<string, number>>;
    assert.deepEqual(patterns.map(({ wire_bytes_seen: _s, wire_bytes_kept: _k, wire_bytes_boosted: _b, ...p }) => p), [{ pattern_id: 'X', seen: 100, kept: keptX, dropped: 100 - keptX, bytes_seen: 290, bytes_kept: s.kept.filter((k) => k.pattern === 'X' && k.body !== 'next window').reduce((n, k) => n + k.body.length, 0), boosted: 0, bytes_boosted: 0 }]);
    assert.equal(event!.properties.wire_bytes_seen, patterns[0]!.wire_bytes_seen, 'the event\'s total is its patterns\' sum');
    assert.equal(event!.properties.service, 'api');
    assert.equal(event!.properties.seen, 100);
    await s.processor.shutdown();
    assert.deepEqual(events.slice(2).map((e) => e.properties.service), ['api'], 'shutdown publishes the window in progress');
  });

  it('dry run keeps everything and marks what would have been dropped', async () => {
    const s = await sampler({ dry_run: true, policy: { mode: 'static', severity_keep: { INFO: 0 }, first_k_per_window: 1 }, min_keep: 0 });
    s.send([{ body: 'first' }, { body: 'second' }, { body: 'third' }]);
    assert.deepEqual(s.kept.map((k) => [k.body, k.reason, k.rate]), [
      ['first', 'first', 1],
      ['second', 'dry_run_drop', 1],
      ['third', 'dry_run_drop', 1],
    ]);
  });

  it('validates policies: the ERROR invariant cannot be raised, dynamic mode needs a budget', () => {
    const base = samplerProcessorFactory.defaultConfig();
    assert.ok(samplerProcessorFactory.validate({ ...base, keep_at_or_above: 'FATAL' as never }).some((p) => p.path === 'keep_at_or_above'));
    const noBudget = mergeDefaults(base, { policy: { mode: 'dynamic' } }) as SamplerConfig;
    noBudget.policy.budget.keep_fraction = null;
    assert.deepEqual(samplerProcessorFactory.validate(noBudget), [{ path: 'policy.budget', message: 'dynamic mode needs records_per_second, bytes_per_second or keep_fraction' }]);
    const globalWithout = mergeDefaults(noBudget, { services: { api: { budget: { scope: 'global', records_per_second: 10 } } } }) as SamplerConfig;
    assert.deepEqual(samplerProcessorFactory.validate(globalWithout), [
      { path: 'policy.budget', message: 'dynamic mode needs records_per_second, bytes_per_second or keep_fraction' },
      { path: 'services.api.budget.scope', message: "global shares the base policy's budget, and it sets none" },
    ]);
    const badRule = mergeDefaults(base, { services: { api: { keep_rules: [{ attribute: 'x', op: '>=' }] } } }) as SamplerConfig;
    assert.deepEqual(samplerProcessorFactory.validate(badRule), [{ path: 'services.api.keep_rules[0].value', message: 'is required for >=' }]);
  });

  it('shares a budget with log weighting (unit)', () => {
    const load = (count: number, bytesEach = 1) => ({ count, cost: count * bytesEach });
    const keep = dynamicKeep(new Map([['a', load(10_000)], ['b', load(100)], ['c', load(1)]]), 1000, 0.001);
    assert.equal(keep.get('c'), 1);
    const kept = 10_000 * keep.get('a')! + 100 * keep.get('b')! + 1;
    assert.ok(Math.abs(kept - 1000) < 1, `expected keeps ${kept}`);
    assert.equal(keep.get('b'), 1, 'b fits its share whole');
    assert.deepEqual([...dynamicKeep(new Map([['a', load(10)]]), 100, 0.001)], [['a', 1]], 'under budget: everything kept');
    // In bytes: the same fairness by record count, each share measured in the pattern's own bytes.
    const inBytes = dynamicKeep(new Map([['small', load(1000, 10)], ['large', load(1000, 1000)]]), 50_000, 0.001);
    assert.ok(Math.abs(1000 * 10 * inBytes.get('small')! + 1000 * 1000 * inBytes.get('large')! - 50_000) < 1);
    assert.equal(inBytes.get('small'), 1, 'the cheap pattern fits its share whole');
  });
});
