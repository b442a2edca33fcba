// OTLP/gRPC: opentelemetry.proto.collector.logs.v1.LogsService/Export on @grpc/grpc-js.
import * as grpc from '@grpc/grpc-js';
import { parseEndpoint } from '../../config/endpoint.js';
import { logsServiceDefinition } from '../../proto/logs_service_definition.js';
import { decodeExportRequest, encodeExportResponse, type PbExportRequest } from '../../proto/otlp.js';
import type { GrpcConfig } from './config.js';
import type { ExportHandler } from './export_handler.js';
import { GRPC_CODE, retryStatusDetails } from './status.js';
import type { RequestAuthenticator } from '../../security/bearer_token_auth.js';
import { serverTlsOptions } from '../../security/tls.js';
import { tenantOf } from '../../security/rate_limit.js';

type Callback = grpc.sendUnaryData<Buffer>;

export class OtlpGrpcServer {
  readonly #server: grpc.Server;
  #stopping = false;
  #bound = false;
  #authenticator: RequestAuthenticator | undefined;

  constructor(
    private readonly config: GrpcConfig,
    private readonly handler: ExportHandler,
  ) {
    const maxBytes = config.max_recv_msg_size_mib * 1024 * 1024;
    this.#server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes });
    this.#server.addService(logsServiceDefinition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: Callback) => {
        if (this.#authenticator && !this.#authenticator.allows(String(call.metadata.get('authorization')[0] ?? '') || undefined)) {
          handler.refusedRequest('unauthenticated');
          callback({ code: grpc.status.UNAUTHENTICATED, details: 'a valid bearer token is required' });
          return;
        }
        this.#export(call.request, callback, tenantOf(String(call.metadata.get('authorization')[0] ?? '') || undefined, call.getPeer())).catch((error: unknown) => {
          callback({ code: grpc.status.INTERNAL, details: `internal error: ${(error as Error).message}` });
        });
      },
    });
  }

  /** Every call must pass this authenticator (set before start). */
  requireAuth(authenticator: RequestAuthenticator): void {
    this.#authenticator = authenticator;
  }

  #credentials(): grpc.ServerCredentials {
    if (!this.config.tls) return grpc.ServerCredentials.createInsecure();
    // grpc-js takes no least TLS version: Node's default (1.2) holds, whatever min_version says.
    const options = serverTlsOptions(this.config.tls);
    return grpc.ServerCredentials.createSsl((options.ca as Buffer | undefined) ?? null, [{ cert_chain: options.cert as Buffer, private_key: options.key as Buffer }], options.ca !== undefined);
  }

  async #export(bytes: Buffer, callback: Callback, tenant: string): Promise<void> {
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
    const outcome = await this.handler.handle(request, bytes.length, tenant);
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
      this.#server.bindAsync(`${host}:${endpoint.port}`, this.#credentials(), (error, port) => {
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
