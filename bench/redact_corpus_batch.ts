// OTLP batches of the redact processor's labelled corpus (bench/redact_corpus.ts): every record holds personal
// data or a secret (in its body, a JSON body or an attribute) — the densest traffic redaction can meet, for its cost
// beside the realistic service logs (where it is rare) and the Loghub-2k lines (where addresses are common).
import { ExportLogsServiceRequest, encodeExportRequest, type PbExportRequest } from '../proto/otlp.js';
import { redactCorpus } from './redact_corpus.js';

export function labelledBodies(records: number, perRequest: number, seed = 17): Buffer[] {
  const corpus = redactCorpus(records, seed);
  const bodies: Buffer[] = [];
  const now = 1_795_000_000_000_000_000n;
  for (let from = 0; from < corpus.length; from += perRequest) {
    const run = corpus.slice(from, from + perRequest);
    const request = ExportLogsServiceRequest.fromObject({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: `shop-${bodies.length % 4}` } }] },
          scopeLogs: [
            {
              logRecords: run.map((record, i) => ({
                timeUnixNano: String(now + BigInt(from + i) * 1000n),
                severityNumber: 9,
                body: { stringValue: record.body },
                attributes: Object.entries(record.attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
              })),
            },
          ],
        },
      ],
    }) as unknown as PbExportRequest;
    bodies.push(Buffer.from(encodeExportRequest(request)));
  }
  return bodies;
}
