// The decision vectors every SDK is held to (issue 19): for a policy and a stream of records, what the daemon's
// sampler decides for each — keep or drop, the reason, `logsift.sample_count` and `logsift.sample_rate` — with
// the pattern id each record's body gets from a fresh miner. Written by running the daemon's own sampler
// processor on record time over the records (so a vector is the daemon's behaviour, not a restatement of it);
// test/sdk/decision_vectors.test.ts fails when the daemon drifts from them, each SDK's tests when it does.
// Every record that reaches a draw carries a trace id: without one the draw is random and no vector could
// hold it. The traffic is bursty on purpose (a quiet start, a level shift, a burst), over six windows, so
// dynamic shares are computed from real history; no anomaly is open (a source cannot boost).
// Run: node --import tsx sdk/vectors/decisions.ts  (rewrites sdk/vectors/decision_cases.json and decisions.jsonl)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { duration } from '../../config/duration.js';
import { LogBatch } from '../../pipeline/batch.js';
import { processorSettings, type DaemonParts } from '../../pipeline/component_settings.js';
import { EventBus } from '../../pipeline/event_bus.js';
import { HttpRoutes } from '../../pipeline/http_routes.js';
import { PipelineShared } from '../../pipeline/pipeline_shared.js';
import { ReplayClock } from '../../pipeline/replay_clock.js';
import { Telemetry } from '../../pipeline/telemetry.js';
import { PolicyBoard } from '../../policy/board.js';
import { defaultPolicy, type Policy } from '../../policy/policy.js';
import type { PbKeyValue, PbLogRecord } from '../../proto/otlp.js';
import { samplerProcessorFactory } from '../../processors/sampler/factory.js';
import { nanos } from '../../processors/sampler/replay.js';
import { SAMPLE_COUNT_ATTRIBUTE, SAMPLE_RATE_ATTRIBUTE, SAMPLE_REASON_ATTRIBUTE } from '../../processors/sampler/sample_attributes.js';
import { defaultSignatureConfig, minerFromConfig } from '../../processors/signature/factory.js';
import { bodySignature } from '../../processors/signature/structured_body.js';
import { SharedStore } from '../../store/shared_store.js';

export interface DecisionCase {
  name: string;
  /** The daemon's sampler settings the case runs under (the SDK takes the same). */
  settings: { window_seconds: number; min_keep: number; keep_at_or_above: string };
  policy: Policy;
}

export interface VectorRecord {
  case: string;
  time_ms: number;
  service: string;
  body: string;
  pattern_id: string;
  severity_number: number;
  severity_text: string;
  trace_id: string | null;
  attributes: Record<string, string | number>;
  keep: boolean;
  /** Kept records: the records each stands for. 0 for a dropped one. */
  sample_count: number;
  /** Kept records: 1 / the probability it was kept with. 0 for a dropped one. */
  sample_rate: number;
  /** Kept records: why. Empty for a dropped one. */
  reason: string;
}

const START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
const SETTINGS = { window_seconds: 60, min_keep: 0.001, keep_at_or_above: 'ERROR' };
// The loudest pattern of the stream once its template settled (checkout's request line): the pinned cases pin it.
const LOUD_PATTERN = 'f7d3dd5939d46ae5';

export function decisionCases(): DecisionCase[] {
  const base = defaultPolicy();
  return [
    { name: 'default', settings: SETTINGS, policy: base },
    {
      name: 'static_rules',
      settings: SETTINGS,
      policy: {
        ...base,
        mode: 'static',
        severity_keep: { UNSPECIFIED: 0.3, TRACE: 0.01, DEBUG: 0.02, INFO: 0.1, WARN: 0.5, ERROR: 1, FATAL: 1 },
        pattern_keep: { [LOUD_PATTERN]: 0.004 },
        first_k_per_window: 2,
        keep_rules: [
          { attribute: 'http.status_code', op: '>=', value: 500 },
          { attribute: 'http.route', op: 'matches', value: '^/admin' },
          { attribute: 'user.tier', op: '==', value: 'gold' },
        ],
      },
    },
    { name: 'records_budget', settings: SETTINGS, policy: { ...base, budget: { records_per_second: 0.5, bytes_per_second: null, keep_fraction: null, scope: 'service' }, pattern_keep: { [LOUD_PATTERN]: 0.01 } } },
    { name: 'tightest_budget', settings: { ...SETTINGS, min_keep: 0.01 }, policy: { ...base, first_k_per_window: 3, budget: { records_per_second: null, bytes_per_second: 60, keep_fraction: 0.2, scope: 'service' } } },
  ];
}

/** A small seeded generator (mulberry32): the vectors must not change between runs. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Draft = Omit<VectorRecord, 'case' | 'pattern_id' | 'keep' | 'sample_count' | 'sample_rate' | 'reason'>;

/** The records every case runs over: every third body of the pattern vectors, on bursty times, with severities, traces and attributes. */
function drafts(): Draft[] {
  const bodies = readFileSync(new URL('patterns.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { service: string; body: string })
    .filter((_, i) => i % 3 === 0);
  const random = seeded(19);
  const hex = (bytes: number) => Array.from({ length: bytes }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('');
  const out: Draft[] = [];
  let time = START_MS;
  let trace = hex(16);
  let traceLeft = 0;
  for (const { service, body } of bodies) {
    const minute = Math.floor((time - START_MS) / 60_000);
    // Records a second: quiet first, a level shift after a deploy in minute 2, a burst in minute 4.
    const perSecond = minute < 2 ? 2 : minute === 4 ? 12 : 4;
    time += Math.max(1, Math.round((-Math.log(1 - random()) * 1000) / perSecond));
    const r = random();
    const [severity_number, severity_text] = r < 0.05 ? [17, 'ERROR'] : r < 0.13 ? [13, 'WARN'] : r < 0.28 ? [5, 'DEBUG'] : r < 0.3 ? [0, 'warning'] : r < 0.32 ? [0, ''] : [9, 'INFO'];
    if (traceLeft === 0) {
      trace = hex(16);
      traceLeft = 1 + Math.floor(random() * 4);
    }
    traceLeft -= 1;
    // Errors sometimes come without a trace: always kept, they need no draw.
    const trace_id = severity_number === 17 && random() < 0.5 ? null : trace;
    const status = random() < 0.03 ? 503 : random() < 0.1 ? 404 : 200;
    const attributes: Record<string, string | number> = { 'http.status_code': status, 'http.route': random() < 0.02 ? '/admin/users' : '/api/items' };
    if (random() < 0.02) attributes['user.tier'] = 'gold';
    out.push({ time_ms: time, service, body, severity_number, severity_text, trace_id, attributes });
  }
  return out;
}

const toKeyValues = (attributes: Record<string, string | number>): PbKeyValue[] =>
  Object.entries(attributes).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } }));

/** Runs the daemon's sampler over a case's records, one record a batch, on record time. */
export async function daemonDecisions(decisionCase: DecisionCase): Promise<VectorRecord[]> {
  const miner = minerFromConfig(defaultSignatureConfig());
  const records = drafts().map((d) => ({ ...d, case: decisionCase.name, pattern_id: miner.add(d.service, bodySignature(d.body, () => d.body)).id }));
  const clock = new ReplayClock();
  const parts: DaemonParts = { logger: pino({ level: 'silent' }), telemetry: new Telemetry(), dataDir: '', clock, store: new SharedStore(mkdtempSync(path.join(tmpdir(), 'logsift-vectors-')), 'normal'), retryAfterSeconds: 1, events: new EventBus(), policies: new PolicyBoard(), daemonShared: new PipelineShared(), routes: new HttpRoutes() };
  const config = {
    ...samplerProcessorFactory.defaultConfig(),
    time: 'record' as const,
    window: duration(`${decisionCase.settings.window_seconds}s`),
    min_keep: decisionCase.settings.min_keep,
    keep_at_or_above: decisionCase.settings.keep_at_or_above as 'ERROR',
    policy: decisionCase.policy,
    ledger: { enabled: false, flush_interval: duration('1h'), events: false },
    retro: { enabled: false, window: duration('1s'), max_per_pattern: 1, max_total: 1 },
    tape: { enabled: false, window: duration('1s'), max_records: 1 },
  };
  const sampler = samplerProcessorFactory.create(processorSettings(parts, 'sampler/vectors', 'vectors', new PipelineShared()), config);
  await sampler.start();
  const outcome = new Map<number, { count: number; rate: number; reason: string }>();
  const input = new Subject<LogBatch>();
  input.pipe(sampler.operator).subscribe((batch) => {
    for (const group of batch.groups()) {
      for (const r of group.records) {
        outcome.set(Number(r.attributes.get('vector.index')), { count: Number(r.attributes.get(SAMPLE_COUNT_ATTRIBUTE)), rate: Number(r.attributes.get(SAMPLE_RATE_ATTRIBUTE)), reason: String(r.attributes.get(SAMPLE_REASON_ATTRIBUTE)) });
      }
    }
  });
  const ack = { settle: () => undefined };
  records.forEach((v, index) => {
    clock.advanceTo(v.time_ms);
    const record: PbLogRecord = {
      timeUnixNano: nanos(v.time_ms),
      severityNumber: v.severity_number,
      severityText: v.severity_text,
      body: { stringValue: v.body },
      traceId: v.trace_id ? Buffer.from(v.trace_id, 'hex') : new Uint8Array(0),
      attributes: [{ key: 'logsift.pattern.id', value: { stringValue: v.pattern_id } }, { key: 'vector.index', value: { intValue: index } }, ...toKeyValues(v.attributes)],
    };
    input.next(LogBatch.fromHeld([{ resource: { attributes: [{ key: 'service.name', value: { stringValue: v.service } }] }, scope: {}, record }], ack));
  });
  input.complete();
  await sampler.shutdown();
  return records.map((v, index) => {
    const kept = outcome.get(index);
    return { ...v, keep: kept !== undefined, sample_count: kept?.count ?? 0, sample_rate: kept?.rate ?? 0, reason: kept?.reason ?? '' };
  });
}

/** The vector file's lines: every case's records, in order. */
export async function decisionLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const c of decisionCases()) {
    for (const v of await daemonDecisions(c)) {
      const { case: name, time_ms, service, body, pattern_id, severity_number, severity_text, trace_id, attributes, keep, sample_count, sample_rate, reason } = v;
      lines.push(JSON.stringify({ case: name, time_ms, service, body, pattern_id, severity_number, severity_text, trace_id, attributes, keep, sample_count, sample_rate, reason }));
    }
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = await decisionLines();
  writeFileSync(new URL('decision_cases.json', import.meta.url), `${JSON.stringify(decisionCases(), null, 2)}\n`);
  writeFileSync(new URL('decisions.jsonl', import.meta.url), `${lines.join('\n')}\n`);
  console.log(`${lines.length} decision vectors in ${decisionCases().length} cases written to sdk/vectors/decisions.jsonl`);
}
