// Valid OTLP payloads in both encodings, and raw gRPC access, for the bad-input and fuzz tests.
import * as grpc from '@grpc/grpc-js';
import { logsServiceDefinition } from '../../proto/logs_service_definition.js';
import { ExportLogsServiceRequest, encodeExportRequest, type PbExportRequest } from '../../proto/otlp.js';
import { exportRequestJson } from '../../proto/otlp_json.js';

export function sampleRequest(records = 5): PbExportRequest {
  return ExportLogsServiceRequest.fromObject({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
        scopeLogs: [
          {
            scope: { name: 'sample', version: '1' },
            logRecords: Array.from({ length: records }, (_, i) => ({
              timeUnixNano: String(1_795_000_000_000_000_000n + BigInt(i)),
              severityNumber: 9,
              severityText: 'INFO',
              body: { stringValue: `GET /api/items/${i} 200 in ${i}ms` },
              attributes: [
                { key: 'http.status_code', value: { intValue: 200 } },
                { key: 'user', value: { stringValue: `u${i}` } },
              ],
              traceId: Buffer.alloc(16, i + 1),
              spanId: Buffer.alloc(8, i + 1),
            })),
          },
        ],
      },
    ],
  }) as unknown as PbExportRequest;
}

/** `n` INFO lines of one pattern ("order <n> placed in <ms> ms") from service checkout; `seed` keeps the numbers apart. */
export function checkoutOrders(n: number, seed: number, version?: string): Buffer {
  const request = ExportLogsServiceRequest.fromObject({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, ...(version ? [{ key: 'service.version', value: { stringValue: version } }] : [])] },
      scopeLogs: [{ logRecords: Array.from({ length: n }, (_, i) => ({ severityNumber: 9, severityText: 'INFO', body: { stringValue: `order ${seed * 10_000 + i} placed in ${i % 90} ms` } })) }],
    }],
  }) as unknown as PbExportRequest;
  return Buffer.from(encodeExportRequest(request));
}

export function sampleProtobuf(records = 5): Buffer {
  return Buffer.from(encodeExportRequest(sampleRequest(records)));
}

export function sampleJson(records = 5): string {
  return JSON.stringify(exportRequestJson(sampleRequest(records)));
}

const RawLogsClient = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');

export interface RawGrpcResult {
  code: grpc.status;
  details: string;
  response?: Buffer;
}

/** Sends raw bytes as an Export call, so malformed messages reach the server as they are. */
export function rawGrpcClient(port: number) {
  const client = new RawLogsClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
    Export(request: Buffer, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): void;
    close(): void;
  };
  return {
    send: (bytes: Buffer) =>
      new Promise<RawGrpcResult>((resolve) => {
        client.Export(bytes, (error, response) => {
          if (error) resolve({ code: error.code, details: error.details });
          else resolve({ code: grpc.status.OK, details: '', response });
        });
      }),
    close: () => client.close(),
  };
}
