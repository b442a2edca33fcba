// OTLP/gRPC: opentelemetry.proto.collector.logs.v1.LogsService/Export on @grpc/grpc-js.
import * as grpc from '@grpc/grpc-js';
import { parseEndpoint } from '../../config/endpoint.js';
import { logsServiceDefinition } from '../../proto/logs_service_definition.js';
import { decodeExportRequest, encodeExportResponse, type PbExportRequest } from '../../proto/otlp.js';
import type { GrpcConfig } from './config.js';
import type { ExportHandler } from './export_handler.js';
import { GRPC_CODE, retryStatusDetails } from './status.js';

type Callback = grpc.sendUnaryData<Buffer>;

export class OtlpGrpcServer {
  readonly #server: grpc.Server;
  #stopping = false;
  #bound = false;

  constructor(
    private readonly config: GrpcConfig,
    private readonly handler: ExportHandler,
  ) {
    const maxBytes = config.max_recv_msg_size_mib * 1024 * 1024;
    this.#server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes });
    this.#server.addService(logsServiceDefinition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: Callback) => {
        this.#export(call.request, callback).catch((error: unknown) => {
          callback({ code: grpc.status.INTERNAL, details: `internal error: ${(error as Error).message}` });
        });
      },
    });
  }

  async #export(bytes: Buffer, callback: Callback): Promise<void> {
    if (this.#stopping) {
      callback({ code: grpc.status.UNAVAILABLE, details: 'logsift is shutting down; retry against another instance' });
      return;
    }
    let request: PbExportRequest;
    try {
      request = decodeExportRequest(bytes);
    } catch (error) {
      this.handler.refusedRequest('malformed');
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `malformed protobuf ExportLogsServiceRequest: ${(error as Error).message}` });
      return;
    }
    const outcome = await this.handler.handle(request, bytes.length);
    switch (outcome.kind) {
      case 'accepted':
        callback(null, Buffer.from(encodeExportResponse(outcome.rejected, outcome.message)));
        return;
      case 'refused': {
        const metadata = new grpc.Metadata();
        metadata.set('grpc-status-details-bin', retryStatusDetails(GRPC_CODE.RESOURCE_EXHAUSTED, outcome.reason, outcome.retryAfterSeconds));
        callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: outcome.reason, metadata });
        return;
      }
      case 'failed':
        callback(outcome.permanent
          ? { code: grpc.status.INVALID_ARGUMENT, details: `rejected downstream: ${outcome.reason}` }
          : { code: grpc.status.UNAVAILABLE, details: `not acknowledged downstream: ${outcome.reason}` });
        return;
    }
  }

  start(): Promise<{ address: string; port: number }> {
    const endpoint = parseEndpoint(this.config.endpoint)!;
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`${host}:${endpoint.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (error) reject(error);
        else {
          this.#bound = true;
          resolve({ address: endpoint.host, port });
        }
      });
    });
  }

  /** Refuses new calls and waits for in-flight ones to be answered. */
  shutdown(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    this.#stopping = true;
    if (!this.#bound) return Promise.resolve();
    return new Promise((resolve) => this.#server.tryShutdown(() => resolve()));
  }
}
