// The running daemon: logger, internal telemetry, the component graph and the telemetry server, with a
// shutdown that drains within the configured deadline.
import type { AddressInfo } from 'node:net';
import { parseEndpoint } from '../config/endpoint.js';
import type { LogsiftConfig } from '../config/load.js';
import { createLogger, type Logger } from './logger.js';
import type { FactoryRegistry } from './registry.js';
import { Service } from './service.js';
import { Telemetry } from './telemetry.js';
import { TelemetryServer } from './telemetry_server.js';

export interface DaemonOptions {
  logger?: Logger;
}

export class Daemon {
  readonly logger: Logger;
  readonly telemetry = new Telemetry();
  readonly #service: Service;
  readonly #telemetryServer: TelemetryServer;
  #telemetryAddress: AddressInfo | undefined;
  #stopping: Promise<boolean> | undefined;

  constructor(
    private readonly config: LogsiftConfig,
    registry: FactoryRegistry,
    options: DaemonOptions = {},
  ) {
    this.logger = options.logger ?? createLogger(config.settings.logLevel);
    this.#service = new Service(config, registry, this.logger, this.telemetry);
    this.#telemetryServer = new TelemetryServer(parseEndpoint(config.settings.telemetryAddress)!, this.telemetry);
  }

  get telemetryAddress(): AddressInfo | undefined {
    return this.#telemetryAddress;
  }

  async start(): Promise<void> {
    this.#telemetryAddress = await this.#telemetryServer.start();
    this.logger.info({ address: `${this.#telemetryAddress.address}:${this.#telemetryAddress.port}` }, 'telemetry server listening');
    try {
      await this.#service.start();
    } catch (error) {
      await this.#telemetryServer.shutdown();
      throw error;
    }
    this.#telemetryServer.setReady(true);
    this.logger.info({ pipelines: this.config.pipelines.map((p) => p.id) }, 'logsift is running');
  }

  /** Resolves true when everything drained within the deadline, false when the deadline cut it short. */
  stop(): Promise<boolean> {
    this.#stopping ??= (async () => {
      this.#telemetryServer.setReady(false);
      const deadlineMs = this.config.settings.shutdownTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMs);
        timer.unref();
      });
      const drained = await Promise.race([this.#service.shutdown().then(() => true as const), deadline]);
      clearTimeout(timer);
      if (!drained) this.logger.error({ deadline_ms: deadlineMs }, 'shutdown deadline passed before every batch was acknowledged');
      await this.#telemetryServer.shutdown();
      return drained;
    })();
    return this.#stopping;
  }
}
