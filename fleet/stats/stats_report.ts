// What a sidecar (or an SDK) tells its gateway about the traffic it sampled: `POST /api/v1/patterns/stats`,
// one body per batch of completed sampler windows — per (service, pattern, window) the records and bytes
// seen and kept, what an anomaly boost kept, and the records seen per severity class — with the templates of
// patterns the gateway has not been told about. A batch carries an id: a batch sent again (its answer was
// lost) is acknowledged and not counted twice. The answer says which templates the gateway still lacks and,
// per service reported, how many replicas report it and this instance's share of its budget.
import { compileConfigSchema } from '../../config/schema_validator.js';
import { SEVERITY_CLASSES, type SeverityClass } from '../../policy/severity.js';

export const PATTERN_STATS_PATH = '/api/v1/patterns/stats';

/** Rows and templates per request: a body stays well under the control API's 1 MB. */
export const MAX_ROWS_PER_REPORT = 2000;
export const MAX_TEMPLATES_PER_REPORT = 500;
const MAX_TEMPLATE_CHARS = 1000;

export interface PatternWindow {
  service: string;
  pattern_id: string;
  /** Start of the sampler window, ms since the epoch. */
  window_start: number;
  seen: number;
  kept: number;
  /** Of `kept`, the records only an anomaly boost kept. */
  boosted: number;
  /** Body characters (what byte budgets count). */
  bytes_seen: number;
  bytes_kept: number;
  /** Records seen per severity class; they add up to `seen`. */
  seen_by_severity: Partial<Record<SeverityClass, number>>;
}

export interface PatternTemplate {
  service: string;
  pattern_id: string;
  template: string;
}

export interface StatsReport {
  instance: string;
  /** Unique per batch; the same batch sent again carries the same id. */
  batch_id: string;
  /** The reporter's sampler window: the gateway's must be the same. */
  window_seconds: number;
  rows: PatternWindow[];
  templates: PatternTemplate[];
}

export interface ServiceShare {
  /** Instances that reported the service recently. */
  replicas: number;
  /** This instance's part of a per-service rate budget (records or bytes a second). */
  share: number;
}

export interface StatsAnswer {
  /** Rows counted from this batch (0 when the batch had been counted already). */
  accepted: number;
  duplicate: boolean;
  /** Patterns reported without a template the gateway has: send their templates. */
  missing_templates: Array<{ service: string; pattern_id: string }>;
  services: Record<string, ServiceShare>;
}

const count = { type: 'integer', minimum: 0 };
const name = { type: 'string', minLength: 1, maxLength: 256 };

const REPORT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['instance', 'batch_id', 'window_seconds', 'rows'],
  properties: {
    instance: name,
    batch_id: { type: 'string', minLength: 1, maxLength: 128 },
    window_seconds: { type: 'number', exclusiveMinimum: 0 },
    rows: {
      type: 'array',
      maxItems: MAX_ROWS_PER_REPORT,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'pattern_id', 'window_start', 'seen', 'kept', 'boosted', 'bytes_seen', 'bytes_kept', 'seen_by_severity'],
        properties: {
          service: name,
          pattern_id: { type: 'string', maxLength: 256 },
          window_start: count,
          seen: count,
          kept: count,
          boosted: count,
          bytes_seen: count,
          bytes_kept: count,
          seen_by_severity: { type: 'object', additionalProperties: false, properties: Object.fromEntries(SEVERITY_CLASSES.map((c) => [c, count])) },
        },
      },
    },
    templates: {
      type: 'array',
      maxItems: MAX_TEMPLATES_PER_REPORT,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'pattern_id', 'template'],
        properties: { service: name, pattern_id: { type: 'string', maxLength: 256 }, template: { type: 'string', maxLength: MAX_TEMPLATE_CHARS } },
      },
    },
  },
};

const checkReport = compileConfigSchema(REPORT_SCHEMA);

/** Problems with a report body ("path: message"); none when it is a report that adds up. */
export function statsReportProblems(body: unknown, windowMs: number): string[] {
  const problems = checkReport(body).map((p) => `${p.path || '(body)'}: ${p.message}`);
  if (problems.length > 0) return problems;
  const report = body as StatsReport;
  if (report.window_seconds * 1000 !== windowMs) {
    problems.push(`window_seconds: ${report.window_seconds} differs from the gateway's sampler window (${windowMs / 1000}s); windows of different lengths do not add up`);
  }
  report.rows.forEach((row, i) => {
    if (row.kept > row.seen) problems.push(`rows.${i}.kept: ${row.kept} is more than seen (${row.seen})`);
    if (row.boosted > row.kept) problems.push(`rows.${i}.boosted: ${row.boosted} is more than kept (${row.kept})`);
    const bySeverity = Object.values(row.seen_by_severity).reduce((n, c) => n + (c ?? 0), 0);
    if (bySeverity !== row.seen) problems.push(`rows.${i}.seen_by_severity: adds up to ${bySeverity}, seen is ${row.seen}`);
  });
  return problems.slice(0, 20);
}
