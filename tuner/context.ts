// What a tuner round knows about a service, built from the sampler's shared view (ratestats, anomalies, the
// tape) and the pattern catalog: aggregates and redacted templates, never raw lines. The same object feeds
// the rules provider directly and the LLM prompt as fenced JSON, cut to a length cap.
import { createHash } from 'node:crypto';
import type { Policy } from '../policy/policy.js';
import type { SamplerTraffic } from '../policy/traffic_tape.js';
import { SEVERITY_CLASSES, severityRank, type SeverityClass } from '../policy/severity.js';
import type { Store } from '../store/store.js';
import { redactLine } from './redact.js';

const TEMPLATE_CHARS = 200;

export interface PatternStat {
  pattern_id: string;
  template: string;
  /** Records and bytes per sampler window (the baseline once a window completed, else the window so far). */
  records_per_window: number;
  bytes_per_window: number;
  /** This pattern's share of the service's records. */
  share: number;
  severity_mix: Partial<Record<SeverityClass, number>>;
  error_rate: number;
}

export interface ServiceContext {
  service: string;
  window_seconds: number;
  records_per_second: number;
  bytes_per_second: number;
  error_rate: number;
  severity_mix: Partial<Record<SeverityClass, number>>;
  pattern_count: number;
  top_patterns: PatternStat[];
  open_anomalies: Array<{ kind: string; pattern_id: string; since: string }>;
  /** Records kept over records seen by the live sampler over the traffic window, outside anomalies' boosts; null without traffic. */
  live_keep_fraction: number | null;
  target: { keep_fraction: number; bytes_keep_fraction: number | null };
  current_policy: Policy;
}

interface Totals {
  records: number;
  bytes: number;
  bySeverity: Partial<Record<SeverityClass, number>>;
}

function mix(bySeverity: Partial<Record<SeverityClass, number>>, total: number): Partial<Record<SeverityClass, number>> {
  const out: Partial<Record<SeverityClass, number>> = {};
  for (const cls of SEVERITY_CLASSES) {
    const n = bySeverity[cls];
    if (n) out[cls] = round(n / total);
  }
  return out;
}

function errorCount(bySeverity: Partial<Record<SeverityClass, number>>): number {
  let n = 0;
  for (const cls of SEVERITY_CLASSES) if (severityRank(cls) >= severityRank('ERROR')) n += bySeverity[cls] ?? 0;
  return n;
}

const round = (x: number) => Number(x.toPrecision(3));

export function buildServiceContext(
  traffic: SamplerTraffic,
  store: Store | undefined,
  service: string,
  options: { topPatterns: number; target: ServiceContext['target']; now: number },
): ServiceContext {
  const byPattern = new Map<string, Totals>();
  const rates = traffic.rates();
  if (rates) {
    for (const s of rates.series()) {
      if (s.service !== service) continue;
      const counts = s.baseline ?? s.current;
      let t = byPattern.get(s.pattern);
      if (!t) byPattern.set(s.pattern, (t = { records: 0, bytes: 0, bySeverity: {} }));
      t.records += counts.count;
      t.bytes += counts.bytes;
      t.bySeverity[s.severity] = (t.bySeverity[s.severity] ?? 0) + counts.count;
    }
  }
  // The fleet's templates (a gateway's sidecars reported them), then the local catalog's over them.
  const templates = new Map(traffic.templates?.(service) ?? []);
  for (const p of store?.patterns(service) ?? []) templates.set(p.id, p.template);
  const all: Totals = { records: 0, bytes: 0, bySeverity: {} };
  for (const t of byPattern.values()) {
    all.records += t.records;
    all.bytes += t.bytes;
    for (const cls of SEVERITY_CLASSES) if (t.bySeverity[cls]) all.bySeverity[cls] = (all.bySeverity[cls] ?? 0) + t.bySeverity[cls]!;
  }
  const stat = (id: string, t: Totals): PatternStat => ({
    pattern_id: id,
    template: redactLine(templates.get(id) ?? '(template not catalogued yet)', TEMPLATE_CHARS),
    records_per_window: round(t.records),
    bytes_per_window: round(t.bytes),
    share: all.records > 0 ? round(t.records / all.records) : 0,
    severity_mix: mix(t.bySeverity, Math.max(1, t.records)),
    error_rate: t.records > 0 ? round(errorCount(t.bySeverity) / t.records) : 0,
  });
  const entries = [...byPattern.entries()];
  const byVolume = [...entries].sort((a, b) => b[1].records - a[1].records || (a[0] < b[0] ? -1 : 1)).slice(0, options.topPatterns);
  const byBytes = [...entries].sort((a, b) => b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : 1)).slice(0, options.topPatterns);
  const top = new Map<string, Totals>([...byVolume, ...byBytes]);
  const windowSeconds = traffic.windowMs / 1000;
  // The policy's own spending: what anomalies' boosts kept is left out.
  const tape = traffic.tape.entries(options.now, service).filter((e) => !e.boosted);
  const kept = tape.reduce((n, e) => n + (e.kept ? 1 : 0), 0);
  const anomalies = traffic.anomalies()?.open().filter((a) => a.service === service) ?? [];
  return {
    service,
    window_seconds: windowSeconds,
    records_per_second: round(all.records / windowSeconds),
    bytes_per_second: round(all.bytes / windowSeconds),
    error_rate: all.records > 0 ? round(errorCount(all.bySeverity) / all.records) : 0,
    severity_mix: mix(all.bySeverity, Math.max(1, all.records)),
    pattern_count: byPattern.size,
    top_patterns: [...top.entries()].map(([id, t]) => stat(id, t)).sort((a, b) => b.records_per_window - a.records_per_window),
    open_anomalies: anomalies.map((a) => ({ kind: a.kind, pattern_id: a.pattern, since: new Date(a.start).toISOString() })),
    live_keep_fraction: tape.length > 0 ? round(kept / tape.length) : null,
    target: options.target,
    current_policy: traffic.policyFor(service),
  };
}

/** The context as JSON for a prompt, dropping the smallest patterns until it fits `maxChars`. */
export function contextJson(context: ServiceContext, maxChars: number): string {
  const trimmed = { ...context, top_patterns: [...context.top_patterns] };
  let json = JSON.stringify(trimmed, null, 1);
  while (json.length > maxChars && trimmed.top_patterns.length > 0) {
    trimmed.top_patterns.pop();
    json = JSON.stringify(trimmed, null, 1);
  }
  // Still too long (a huge policy): the cap holds whatever it cuts.
  return json.length > maxChars ? json.slice(0, maxChars) : json;
}

/**
 * What decides whether a round is worth a call: the policy, the target, the set of patterns with their
 * volume to within a factor of two, and the open anomalies. Small fluctuations do not count as a change.
 */
export function contextFingerprint(context: ServiceContext): string {
  const volume = context.top_patterns.map((p) => `${p.pattern_id}:${Math.round(Math.log2(1 + p.records_per_window))}`).sort();
  const anomalies = context.open_anomalies.map((a) => `${a.kind}:${a.pattern_id}:${a.since}`).sort();
  return createHash('sha256')
    .update(JSON.stringify([context.current_policy, context.target, volume, anomalies, context.pattern_count]))
    .digest('hex');
}
