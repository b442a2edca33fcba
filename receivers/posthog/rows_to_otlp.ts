// PostHog's stored log rows (the `logs` table as the query APIs return it) turned back into OTLP: one
// ResourceLogs per distinct resource, times from ISO microseconds to Unix nanoseconds, ids as hex. The
// resulting request is what the application's exporter sent, less what PostHog does not keep (scope,
// flags, dropped attribute counts).
import { toLong } from '../../pipeline/any_value.js';
import type { PbAnyValue, PbExportRequest, PbKeyValue, PbLogRecord, PbResourceLogs } from '../../proto/otlp.js';
import type { PosthogLogRow } from './query_client.js';

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 time (`T` or space, fraction to nanoseconds, zone or UTC) as Unix microseconds. */
export function isoToMicros(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) throw new TypeError(`not an ISO 8601 time: ${JSON.stringify(text)}`);
  const zone = m[4] === undefined || m[4] === 'Z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const seconds = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(seconds)) throw new TypeError(`not a valid time: ${JSON.stringify(text)}`);
  return seconds * 1000 + Number((m[3] ?? '').padEnd(6, '0').slice(0, 6));
}

/** Unix microseconds as ISO 8601 with six decimals, in UTC. */
export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${String(us - Math.floor(us / 1_000_000) * 1_000_000).padStart(6, '0')}Z`);
}

const SEVERITY_BY_TEXT: Record<string, number> = { trace: 1, debug: 5, info: 9, information: 9, warn: 13, warning: 13, error: 17, fatal: 21, critical: 21 };

function anyValue(value: unknown): PbAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { intValue: value } : { doubleValue: value };
  return { stringValue: JSON.stringify(value) };
}

function keyValues(map: Record<string, unknown> | null | undefined): PbKeyValue[] {
  if (!map) return [];
  return Object.entries(map)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([key, v]) => ({ key, value: anyValue(v) }));
}

function hexId(text: string | null | undefined, bytes: number): Uint8Array | undefined {
  if (!text) return undefined;
  const hex = text.replace(/-/g, '');
  // PostHog keeps an all-zero id where the record had none.
  if (hex.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(hex) || /^0+$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}

function logRecord(row: PosthogLogRow): PbLogRecord {
  const time = BigInt(isoToMicros(row.timestamp)) * 1000n;
  let observed = time;
  try {
    if (row.observed_timestamp) observed = BigInt(isoToMicros(row.observed_timestamp)) * 1000n;
  } catch {
    // An unreadable observed time is the record's time, as OTLP reads a missing one.
  }
  const text = typeof row.severity_text === 'string' ? row.severity_text : undefined;
  const number = Number.isInteger(row.severity_number) && row.severity_number! > 0 && row.severity_number! <= 24 ? row.severity_number! : (SEVERITY_BY_TEXT[String(text ?? '').toLowerCase()] ?? 0);
  const record: PbLogRecord = {
    timeUnixNano: toLong(time),
    observedTimeUnixNano: toLong(observed),
    severityNumber: number,
    body: { stringValue: typeof row.body === 'string' ? row.body : row.body == null ? '' : JSON.stringify(row.body) },
    attributes: keyValues(row.attributes),
  };
  if (text) record.severityText = text;
  const traceId = hexId(row.trace_id, 16);
  const spanId = hexId(row.span_id, 8);
  if (traceId) record.traceId = traceId;
  if (spanId) record.spanId = spanId;
  if (row.event_name) record.eventName = row.event_name;
  return record;
}

/** Rows as one export request, records grouped by resource in the order the rows came. */
export function rowsToRequest(rows: readonly PosthogLogRow[]): PbExportRequest {
  const byResource = new Map<string, PbResourceLogs>();
  for (const row of rows) {
    const resource = row.resource_attributes ?? {};
    const key = JSON.stringify(Object.entries(resource).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let logs = byResource.get(key);
    if (!logs) {
      logs = { resource: { attributes: keyValues(resource) }, scopeLogs: [{ scope: { name: 'posthog' }, logRecords: [] }] };
      byResource.set(key, logs);
    }
    logs.scopeLogs![0]!.logRecords!.push(logRecord(row));
  }
  return { resourceLogs: [...byResource.values()] };
}
