// The running daemon: logger, internal telemetry, the store, the component graph and the telemetry server,
// with a shutdown that drains within the configured deadline.
import type { AddressInfo } from 'node:net';
import { isLoopback, parseEndpoint } from '../config/endpoint.js';
import type { LogsiftConfig } from './load_config.js';
import { SharedStore } from '../store/shared_store.js';
import { realClock, type Clock } from './clock.js';
import { EventBus } from './event_bus.js';
import { HttpRoutes } from './http_routes.js';
import { createLogger, type Logger } from './logger.js';
import { PipelineShared } from './pipeline_shared.js';
import { PolicyBoard } from '../policy/board.js';
import type { FactoryRegistry } from './registry.js';
import { ComponentGraph } from './component_graph.js';
import { Telemetry } from './telemetry.js';
import { TelemetryServer } from './telemetry_server.js';
import { ControlAuth } from '../security/control_auth.js';
import { AuditLog } from '../security/audit.js';
import { RateLimiter } from '../security/rate_limit.js';
import os from 'node:os';
import { startSelfTracing, type SelfTracing } from './self_tracing.js';
import { startLogShipper, type LogShipper } from './self_logs.js';

export interface DaemonOptions {
  logger?: Logger;
  /** Drives backoff and other timers; tests pass a fake clock. */
  clock?: Clock;
}

// After the deadline fires, components get this long to save what they hold before the daemon gives up on them.
const ABANDON_GRACE_MS = 5000;
// How often the store's write-ahead log is checkpointed off the data path: at full load ~10 MB of log a
// second, so the log stays a few MB.
const WAL_CHECKPOINT_INTERVAL_MS = 250;

export class Daemon {
  readonly logger: Logger;
  readonly telemetry = new Telemetry({ processMetrics: true });
  readonly #store: SharedStore;
  readonly #graph: ComponentGraph;
  readonly #telemetryServer: TelemetryServer;
  #telemetryAddress: AddressInfo | undefined;
  #stopping: Promise<boolean> | undefined;
  #tracing: SelfTracing | undefined;
  #logShipper: LogShipper | undefined;

  constructor(
    private readonly config: LogsiftConfig,
    registry: FactoryRegistry,
    options: DaemonOptions = {},
  ) {
    const resource = { 'service.name': 'logsift', 'service.instance.id': `${os.hostname()}-${process.pid}` };
    if (config.settings.logsOtlp && !options.logger) this.#logShipper = startLogShipper(config.settings.logsOtlp, resource);
    this.logger = options.logger ?? createLogger(config.settings.logLevel, this.#logShipper);
    if (config.settings.telemetryTraces) {
      this.#tracing = startSelfTracing(config.settings.telemetryTraces, resource);
      this.telemetry.tracer = this.#tracing.tracer;
    }
    const routes = new HttpRoutes();
    this.#store = new SharedStore(config.settings.dataDir, config.settings.storageSync, {
      intervalMs: WAL_CHECKPOINT_INTERVAL_MS,
      onFailure: (error) => this.logger.error({ err: error }, 'background WAL checkpoints stopped; the store checkpoints on the data path again'),
    });
    this.#graph = new ComponentGraph(config, registry, {
      logger: this.logger,
      telemetry: this.telemetry,
      clock: options.clock ?? realClock,
      store: this.#store,
      events: new EventBus(),
      policies: new PolicyBoard(),
      daemonShared: new PipelineShared(),
      routes,
      dataDir: config.settings.dataDir,
      retryAfterSeconds: config.settings.retryAfterSeconds,
    });
    const clock = options.clock ?? realClock;
    const { auth, rateLimit } = config.settings;
    this.#telemetryServer = new TelemetryServer(parseEndpoint(config.settings.telemetryAddress)!, this.telemetry, routes, this.logger, {
      ...(auth ? { auth: new ControlAuth(auth) } : {}),
      ...(rateLimit.per_second > 0 ? { limiter: new RateLimiter(rateLimit, () => clock.now()) } : {}),
      failedAuthLimiter: new RateLimiter({ per_second: 5, burst: 20 }, () => clock.now()),
      audit: new AuditLog(this.#store, this.logger, () => clock.now()),
    }, config.settings.telemetryTls, config.settings.telemetryCors);
  }

  get telemetryAddress(): AddressInfo | undefined {
    return this.#telemetryAddress;
  }

  async start(): Promise<void> {
    this.#telemetryAddress = await this.#telemetryServer.start();
    this.logger.info({ address: `${this.#telemetryAddress.address}:${this.#telemetryAddress.port}`, auth: this.config.settings.auth !== undefined }, 'telemetry server listening');
    if (!this.config.settings.auth && !isLoopback(this.#telemetryAddress.address)) {
      this.logger.warn({ address: this.#telemetryAddress.address }, 'THE CONTROL API IS OPEN TO THE NETWORK: anyone who reaches this address can change sampling policies, silence alerts and read patterns. Set service.auth (tokens or JWT), or bind the telemetry server to 127.0.0.1');
    }
    try {
      await this.#graph.start();
    } catch (error) {
      await this.#telemetryServer.shutdown();
      await this.#store.close();
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
      const deadline = new AbortController();
      const timers: NodeJS.Timeout[] = [];
      const after = (ms: number, action: () => void) => timers.push(setTimeout(action, ms).unref());
      after(deadlineMs, () => deadline.abort(new Error('shutdown deadline passed')));
      const abandoned = new Promise<'abandoned'>((resolve) => after(deadlineMs + ABANDON_GRACE_MS, () => resolve('abandoned')));
      const outcome = await Promise.race([this.#graph.shutdown(deadline.signal).then(() => 'done' as const), abandoned]);
      timers.forEach(clearTimeout);
      const drained = outcome === 'done' && !deadline.signal.aborted;
      if (!drained) this.logger.error({ deadline_ms: deadlineMs, abandoned: outcome === 'abandoned' }, 'shutdown deadline passed before every batch was acknowledged');
      await this.#telemetryServer.shutdown();
      // The last spans (the shutdown's own export attempts) go out before the daemon is done.
      await this.#tracing?.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, 'could not send the last traces'));
      await this.#logShipper?.shutdown().catch(() => undefined);
      if (outcome === 'done') await this.#store.close();
      return drained;
    })();
    return this.#stopping;
  }
}
