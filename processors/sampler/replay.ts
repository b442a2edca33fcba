// The sampler replaying itself: a candidate policy runs through a real sampler over the traffic the live
// sampler kept on its tape (each record rebuilt from its time, severity, size, trace id and pattern; other
// attributes are not kept, so keep rules are judged as not matching), with the anomalies that were open
// boosting as they did live. Offered to the tuner through the sampler port (SamplerTraffic.replay), so the
// tuner never builds a sampler itself.
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { LogBatch, type HeldRecord } from '../../pipeline/batch.js';
import { EventBus } from '../../pipeline/event_bus.js';
import { HttpRoutes } from '../../pipeline/http_routes.js';
import { PipelineShared } from '../../pipeline/pipeline_shared.js';
import { ReplayClock } from '../../pipeline/replay_clock.js';
import { Telemetry } from '../../pipeline/telemetry.js';
import { PolicyBoard } from '../../policy/board.js';
import type { Policy } from '../../policy/policy.js';
import type { ReplayReport } from '../../policy/replay_report.js';
import { severityRank } from '../../policy/severity.js';
import type { SamplerTraffic, TapeAnomaly, TapeEntry } from '../../policy/traffic_tape.js';
import type { LongLike, PbLogRecord } from '../../proto/otlp.js';
import type { SharedStore } from '../../store/shared_store.js';
import { ANOMALIES } from '../anomaly/factory.js';
import type { Anomaly } from '../anomaly/tracker.js';
import type { ProcessorFactory } from '../../pipeline/component.js';
import { processorSettings, type DaemonParts } from '../../pipeline/component_settings.js';
import type { SamplerConfig } from './config.js';
import { duration } from '../../config/duration.js';

// Replayed batches are small, so that shares recomputed within a window see the records before them.
const CHUNK = 64;
const YIELD_EVERY_CHUNKS = 32;
const ERROR_RANK = severityRank('ERROR');
const NANOS_PER_MS = 1_000_000n;

/** Milliseconds as OTLP's fixed64 nanoseconds: the replay's windows are the live ones. */
export function nanos(ms: number): LongLike {
  const n = BigInt(Math.round(ms)) * NANOS_PER_MS;
  return { low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) | 0, unsigned: true, toString: () => n.toString() };
}

/** Bodies of a given length: what the sampler's byte budgets count is all a replay needs of a body. */
const bodies = new Map<number, string>();
function bodyOfLength(length: number): string {
  let body = bodies.get(length);
  if (body === undefined) {
    body = 'x'.repeat(length);
    if (bodies.size < 4096) bodies.set(length, body);
  }
  return body;
}

/** A record as the live sampler saw it, rebuilt from the tape: its time, severity, size, trace and pattern. */
function recordOf(entry: TapeEntry, resource: HeldRecord['resource'], patternAttribute: string): HeldRecord {
  const severityText = entry.severityNumber === 0 ? entry.cls : '';
  const record: PbLogRecord = {
    timeUnixNano: nanos(entry.time),
    severityNumber: entry.severityNumber,
    severityText,
    body: { stringValue: bodyOfLength(entry.bytes) },
    traceId: entry.traceId,
    attributes: [{ key: patternAttribute, value: { stringValue: entry.pattern } }],
  };
  return { resource, scope: {}, record };
}

const inIncident = (anomalies: readonly TapeAnomaly[], e: TapeEntry) =>
  anomalies.some((a) => a.service === e.service && (a.pattern === e.pattern || a.pattern === '') && e.time >= a.start && (a.end === undefined || e.time <= a.end));

/** Replays `policy` over `entries` (one service's, oldest first) through a sampler made by `samplerFactory`. */
export async function replayPolicy(samplerFactory: ProcessorFactory<SamplerConfig>, policy: Policy, entries: readonly TapeEntry[], anomalies: readonly TapeAnomaly[], traffic: Pick<SamplerTraffic, 'windowMs' | 'settings'>, store: SharedStore): Promise<ReplayReport> {
  const started = performance.now();
  const clock = new ReplayClock();
  const shared = new PipelineShared();
  let now = 0;
  const openNow = (a: TapeAnomaly) => now >= a.start && (a.end === undefined || now <= a.end);
  shared.provide(ANOMALIES, {
    isOpenFor: (service, pattern) => anomalies.some((a) => a.service === service && (a.pattern === pattern || a.pattern === '') && openNow(a)),
    // The tape keeps no counts of an anomaly: its whole pattern is boosted while one was open on it.
    boostFor: (service, pattern) => (anomalies.some((a) => a.service === service && a.pattern === pattern && openNow(a)) ? { kind: 'whole' as const } : undefined),
    open: () => anomalies.filter(openNow).map((a) => ({ ...a, kind: a.kind as Anomaly['kind'], detected: a.start, closed: a.end, observed: 0, expected: 0, score: 0, windows: 0, error: a.kind === 'error_ratio' })),
  });
  const config = {
    ...samplerFactory.defaultConfig(),
    ...traffic.settings,
    time: 'record' as const,
    dry_run: false,
    policy,
    services: {},
    ledger: { enabled: false, flush_interval: duration('1h'), events: false },
    retro: { enabled: false, window: duration('1s'), max_per_pattern: 1, max_total: 1 },
    tape: { enabled: false, window: duration('1s'), max_records: 1 },
  };
  const parts: DaemonParts = { logger: pino({ level: 'silent' }), telemetry: new Telemetry(), dataDir: '', clock, store, retryAfterSeconds: 1, events: new EventBus(), policies: new PolicyBoard(), daemonShared: new PipelineShared(), routes: new HttpRoutes() };
  const sampler = samplerFactory.create(processorSettings(parts, 'sampler/replay', 'replay', shared), config);
  await sampler.start();
  const keptRecords = new Set<PbLogRecord>();
  const rebuilt: PbLogRecord[] = [];
  const subscription = new Subject<LogBatch>();
  subscription.pipe(sampler.operator).subscribe((batch) => {
    for (const g of batch.toExportRequest().resourceLogs ?? []) for (const sl of g.scopeLogs ?? []) for (const r of sl.logRecords ?? []) keptRecords.add(r);
  });
  const ack = { settle: () => undefined };
  const resources = new Map<string, HeldRecord['resource']>();
  const resourceOf = (service: string) => {
    let resource = resources.get(service);
    if (!resource) resources.set(service, (resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] }));
    return resource;
  };
  for (let at = 0; at < entries.length; at += CHUNK) {
    const chunk = entries.slice(at, at + CHUNK).map((e) => recordOf(e, resourceOf(e.service), traffic.settings.pattern_attribute));
    for (const h of chunk) rebuilt.push(h.record);
    now = entries[Math.min(entries.length, at + CHUNK) - 1]!.time;
    clock.advanceTo(now);
    subscription.next(LogBatch.fromHeld(chunk, ack));
    // A live daemon keeps answering its clients while a long tape replays.
    if ((at / CHUNK) % YIELD_EVERY_CHUNKS === YIELD_EVERY_CHUNKS - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  subscription.complete();
  await sampler.shutdown();

  // The replayed sampler starts cold (no rates yet): what it decides before two window boundaries is warm-up,
  // fed but not judged, as the live sampler had long been warm.
  const first = entries[0]?.time ?? 0;
  const judgedFrom = (Math.floor(first / traffic.windowMs) + 2) * traffic.windowMs;
  let kept = 0;
  let bytes = 0;
  let bytesKept = 0;
  let errors = 0;
  let errorsKept = 0;
  let incident = 0;
  let incidentKept = 0;
  const windows = new Map<string, boolean>();
  let judged = 0;
  let unboosted = 0;
  let unboostedKept = 0;
  entries.forEach((e, i) => {
    if (e.time < judgedFrom) return;
    judged += 1;
    const isKept = keptRecords.has(rebuilt[i]!);
    if (!e.boosted) {
      unboosted += 1;
      if (isKept) unboostedKept += 1;
    }
    bytes += e.bytes;
    if (isKept) {
      kept += 1;
      bytesKept += e.bytes;
    }
    if (severityRank(e.cls) >= ERROR_RANK) {
      errors += 1;
      if (isKept) errorsKept += 1;
    }
    if (anomalies.length > 0 && inIncident(anomalies, e)) {
      incident += 1;
      if (isKept) incidentKept += 1;
    }
    const key = `${e.pattern}\u0000${Math.floor(e.time / traffic.windowMs)}`;
    windows.set(key, (windows.get(key) ?? false) || isKept);
  });
  const covered = [...windows.values()].filter(Boolean).length;
  const share = (a: number, b: number) => (b === 0 ? 1 : Number((a / b).toFixed(4)));
  return {
    records: judged,
    kept,
    keep_fraction: share(kept, judged),
    policy_keep_fraction: share(unboostedKept, unboosted),
    bytes,
    bytes_kept: bytesKept,
    bytes_keep_fraction: share(bytesKept, bytes),
    error_records: errors,
    error_retention: share(errorsKept, errors),
    pattern_windows: windows.size,
    coverage: share(covered, windows.size),
    incident_records: incident,
    incident_retention: share(incidentKept, incident),
    duration_ms: Number((performance.now() - started).toFixed(1)),
  };
}

