// Reads what the file exporter wrote: one OTLP/JSON ExportLogsServiceRequest per line, flattened to records
// with their resource and scope.
import { readFileSync, existsSync } from 'node:fs';

export interface JsonKeyValue { key: string; value: Record<string, unknown> }
export interface JsonRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: Record<string, unknown>;
  attributes?: JsonKeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
  eventName?: string;
}
export interface FlatRecord {
  resource: JsonKeyValue[];
  scope: { name?: string; version?: string; attributes?: JsonKeyValue[] };
  record: JsonRecord;
}

interface JsonRequest {
  resourceLogs: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeLogs: Array<{ scope?: FlatRecord['scope']; logRecords: JsonRecord[] }>;
  }>;
}

export function readFileExport(path: string): FlatRecord[] {
  if (!existsSync(path)) return [];
  const out: FlatRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as JsonRequest;
    for (const rl of request.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const record of sl.logRecords) out.push({ resource: rl.resource?.attributes ?? [], scope: sl.scope ?? {}, record });
      }
    }
  }
  return out;
}

export function attr(list: JsonKeyValue[] | undefined, key: string): Record<string, unknown> | undefined {
  return list?.find((kv) => kv.key === key)?.value;
}
