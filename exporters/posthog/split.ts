// Splits a request into parts whose protobuf encoding stays under a byte limit, keeping records in order and
// under their own resource and scope. PostHog refuses bodies over 2 MiB (after decompression).
import { LogsiftError } from '../../pipeline/errors.js';
import { LogRecordType, ResourceType, ScopeType, type PbLogRecord, type PbResourceLogs, type PbScopeLogs } from '../../proto/otlp.js';

/** A record that cannot fit any part on its own; sending it would fail forever. */
export class RecordTooLargeError extends LogsiftError {
  constructor(message: string) {
    super('LOGSIFT_ERR_RECORD_TOO_LARGE', message);
  }
}

// Length-delimited field overhead: 1 tag byte plus a varint length of at most 5 bytes.
const FIELD_OVERHEAD = 6;

function encodedSize(type: typeof LogRecordType, message: object): number {
  return type.encode(message as never).finish().length;
}

export function splitBySize(resourceLogs: readonly PbResourceLogs[], maxBytes: number): PbResourceLogs[][] {
  const parts: PbResourceLogs[][] = [];
  let part: PbResourceLogs[] = [];
  let partSize = 0;
  const flush = () => {
    if (part.length > 0) parts.push(part);
    part = [];
    partSize = 0;
  };

  for (const rl of resourceLogs) {
    const resourceSize = encodedSize(ResourceType, rl.resource ?? {}) + FIELD_OVERHEAD * 2 + (rl.schemaUrl?.length ?? 0);
    for (const sl of rl.scopeLogs ?? []) {
      const scopeSize = encodedSize(ScopeType, sl.scope ?? {}) + FIELD_OVERHEAD * 2 + (sl.schemaUrl?.length ?? 0);
      let current: PbScopeLogs | undefined;
      for (const record of sl.logRecords ?? []) {
        const recordSize = encodedSize(LogRecordType, record) + FIELD_OVERHEAD;
        if (resourceSize + scopeSize + recordSize > maxBytes) {
          throw new RecordTooLargeError(`a log record of ${recordSize} bytes cannot fit a request of at most ${maxBytes} bytes`);
        }
        // Opening a new resource/scope group in this part costs its header too.
        const groupCost = current ? 0 : resourceSize + scopeSize;
        if (partSize + groupCost + recordSize > maxBytes) {
          flush();
          current = undefined;
        }
        if (!current) {
          current = { ...sl, logRecords: [] as PbLogRecord[] };
          part.push({ ...rl, scopeLogs: [current] });
          partSize += resourceSize + scopeSize;
        }
        current.logRecords!.push(record);
        partSize += recordSize;
      }
    }
  }
  flush();
  return parts;
}
