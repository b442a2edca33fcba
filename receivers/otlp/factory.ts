// The `otlp` receiver: gRPC and/or HTTP listeners feeding the pipelines it is listed in.
import type { CreateSettings, LogsIntake, Receiver, ReceiverFactory } from '../../pipeline/component.js';
import { GRPC_DEFAULTS, HTTP_DEFAULTS, resolveOtlpConfig, validateOtlpConfig, type OtlpReceiverConfig } from './config.js';
import { ExportHandler } from './export_handler.js';
import { OtlpGrpcServer } from './grpc_server.js';
import { OtlpHttpServer } from './http_server.js';
import { authenticatorFor } from '../../security/bearer_token_auth.js';
import { RateLimiter } from '../../security/rate_limit.js';
import { isLoopback } from '../../config/endpoint.js';

class OtlpReceiver implements Receiver {
  readonly #grpc: OtlpGrpcServer | undefined;
  readonly #http: OtlpHttpServer | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: OtlpReceiverConfig,
    intake: LogsIntake,
  ) {
    const { grpc, http } = config.protocols;
    const limit = config.ingest_limit;
    const tenants = limit ? new RateLimiter({ per_second: limit.records_per_second, burst: limit.burst }, () => settings.clock.now()) : undefined;
    this.#grpc = grpc && new OtlpGrpcServer(grpc, new ExportHandler(settings, intake, 'grpc', tenants));
    this.#http = http && new OtlpHttpServer(http, new ExportHandler(settings, intake, 'http', tenants), settings.logger);
  }

  async start(): Promise<void> {
    const { grpc, http } = this.config.protocols;
    if (grpc?.auth) this.#grpc?.requireAuth(authenticatorFor(this.settings, grpc.auth.authenticator));
    if (http?.auth) this.#http?.requireAuth(authenticatorFor(this.settings, http.auth.authenticator));
    if (this.#grpc) {
      const bound = await this.#grpc.start();
      // Logged as data so tests and operators can find a port chosen with :0.
      this.settings.logger.info({ transport: 'grpc', address: bound.address, port: bound.port, tls: grpc?.tls !== undefined, auth: grpc?.auth?.authenticator ?? null }, 'OTLP receiver listening');
      this.#warnIfOpen('grpc', bound.address, grpc?.auth !== undefined);
    }
    if (this.#http) {
      const bound = await this.#http.start();
      this.settings.logger.info({ transport: 'http', address: bound.address, port: bound.port, tls: http?.tls !== undefined, auth: http?.auth?.authenticator ?? null }, 'OTLP receiver listening');
      this.#warnIfOpen('http', bound.address, http?.auth !== undefined);
    }
  }

  /** Anyone on the network may send, and be billed for: said loudly at start. */
  #warnIfOpen(transport: string, address: string, authenticated: boolean): void {
    if (authenticated || isLoopback(address)) return;
    this.settings.logger.warn({ transport, address }, 'THIS OTLP RECEIVER TAKES LOGS FROM ANYONE WHO REACHES IT: set auth: {authenticator: bearertokenauth} (and tls) on the protocol, or bind it to 127.0.0.1');
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.#grpc?.shutdown(), this.#http?.shutdown()]);
  }
}

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  defaultConfig: () => ({ protocols: { grpc: { ...GRPC_DEFAULTS }, http: { ...HTTP_DEFAULTS } } }),
  resolveConfig: resolveOtlpConfig,
  validate: validateOtlpConfig,
  create: (settings, config, intake) => new OtlpReceiver(settings, config, intake),
};
