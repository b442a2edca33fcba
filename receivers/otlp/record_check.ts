// Per-record checks the OTLP spec makes: ids of the wrong length make a record invalid. Invalid records are
// rejected (and reported through partial_success) while the rest of the request is accepted.
import type { PbLogRecord, PbResourceLogs } from '../../proto/otlp.js';

export interface CheckedRequest {
  accepted: number;
  rejected: number;
  firstProblem: string;
}

function idProblem(record: PbLogRecord): string | undefined {
  const trace = record.traceId?.length ?? 0;
  const span = record.spanId?.length ?? 0;
  if ((trace === 0 || trace === 16) && (span === 0 || span === 8)) return undefined;
  return `trace_id must be 16 bytes and span_id 8 bytes (got ${trace} and ${span})`;
}

/** Removes invalid records in place and counts what remains. */
export function checkRecords(resourceLogs: PbResourceLogs[]): CheckedRequest {
  let accepted = 0;
  let rejected = 0;
  let firstProblem = '';
  resourceLogs.forEach((rl, ri) => {
    (rl.scopeLogs ?? []).forEach((sl, si) => {
      const records = sl.logRecords ?? [];
      if (records.some((r) => idProblem(r) !== undefined)) {
        sl.logRecords = records.filter((r, li) => {
          const problem = idProblem(r);
          if (problem && !firstProblem) firstProblem = `resource_logs[${ri}].scope_logs[${si}].log_records[${li}]: ${problem}`;
          return problem === undefined;
        });
        rejected += records.length - sl.logRecords.length;
      }
      accepted += sl.logRecords?.length ?? 0;
    });
  });
  return { accepted, rejected, firstProblem };
}
