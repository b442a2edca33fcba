// Batches of records built from plain descriptions, decoded as a receiver would decode them.
import { Delivery } from '../../pipeline/ack.js';
import { LogBatch } from '../../pipeline/batch.js';
import { decodeJsonExportRequest } from '../../proto/otlp_json.js';

export interface RecordSpec {
  body: string;
  severity?: number;
  pattern?: string;
  traceId?: string;
  timeMs?: number;
  attributes?: Record<string, string | number>;
}

export function batchOf(records: readonly RecordSpec[], service = 'api', delivery = new Delivery()): LogBatch {
  const request = decodeJsonExportRequest(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeLogs: [
            {
              logRecords: records.map((r) => ({
                body: { stringValue: r.body },
                severityNumber: r.severity ?? 9,
                ...(r.timeMs !== undefined ? { timeUnixNano: String(BigInt(r.timeMs) * 1_000_000n) } : {}),
                ...(r.traceId ? { traceId: r.traceId } : {}),
                attributes: [
                  { key: 'logsift.pattern.id', value: { stringValue: r.pattern ?? 'p1' } },
                  ...Object.entries(r.attributes ?? {}).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
                ],
              })),
            },
          ],
        },
      ],
    }),
  );
  return LogBatch.fromRequest(request, delivery);
}

/** A deterministic 32-hex trace id for `n`. */
export function traceIdFor(n: number): string {
  let h = (n + 1) * 2654435761;
  let out = '';
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}
