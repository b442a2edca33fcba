// OTLP batches of real logs for benchmarks: the twelve Loghub-2k systems' messages (`Content`) as bodies, one
// system to a resource (its name as service.name), in the order the system wrote them, with the attributes
// an instrumented service attaches — logs the project was not written for, many holding real addresses.
import { ExportLogsServiceRequest, encodeExportRequest, type PbExportRequest } from '../proto/otlp.js';
import { loadSystem, systems } from './patterns/loghub.js';

/** Every system's lines, interleaved in runs of `records` (one request holds one system's run). */
export function loghubBodies(records: number): Buffer[] {
  const bodies: Buffer[] = [];
  const now = 1_795_000_000_000_000_000n;
  for (const system of systems()) {
    const lines = loadSystem(system).map((l) => l.content);
    for (let from = 0; from < lines.length; from += records) {
      const run = lines.slice(from, from + records);
      const request = ExportLogsServiceRequest.fromObject({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: system.toLowerCase() } }, { key: 'host.name', value: { stringValue: `${system.toLowerCase()}-0` } }] },
            scopeLogs: [
              {
                scope: { name: system },
                logRecords: run.map((text, i) => ({
                  timeUnixNano: String(now + BigInt(bodies.length * records + i) * 1000n),
                  severityNumber: /error|fail|exception/i.test(text) ? 17 : 9,
                  body: { stringValue: text },
                  attributes: [{ key: 'log.file.name', value: { stringValue: `${system}.log` } }, { key: 'thread.id', value: { intValue: (i * 31) % 64 } }],
                })),
              },
            ],
          },
        ],
      }) as unknown as PbExportRequest;
      bodies.push(Buffer.from(encodeExportRequest(request)));
    }
  }
  return bodies;
}
