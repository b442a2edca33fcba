// The `posthog` receiver: logs already in PostHog read back (backfill.ts) and fed to the pipelines it is
// listed in — into another backend, or through the chain to see what it would keep. The backfill starts
// with the daemon and runs once to its end; its checkpoints are in the daemon's store, so a daemon started
// again with the same range goes on where it stopped. A page's checkpoint follows the pipelines' acceptance
// of it, so a crash between the two hands that page on again after the restart: at least once, at most one
// page a slice repeated. A refused page (the pipeline full) is offered again after the retry hint; a failed
// one stops the backfill, logged, with its checkpoints standing.
import type { CreateSettings, LogsIntake, Receiver, ReceiverFactory } from '../../pipeline/component.js';
import type { ErrorCode } from '../../pipeline/errors.js';
import { encodeExportRequest } from '../../proto/otlp.js';
import { Backfill, type BackfillSink } from './backfill.js';
import { defaultPosthogReceiverConfig, validatePosthogReceiverConfig, type PosthogReceiverConfig } from './config.js';
import { PosthogLogsClient } from './query_client.js';
import { backfillJob, backfillRange } from './range.js';
import { rowsToRequest } from './rows_to_otlp.js';

class PosthogReceiver implements Receiver {
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: PosthogReceiverConfig,
    private readonly intake: LogsIntake,
  ) {}

  /** Waits `ms`, or less when the daemon is stopping. */
  #sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (this.#abort.signal.aborted) return resolve();
      const handle = this.settings.clock.setTimeout(() => resolve(), ms);
      this.#abort.signal.addEventListener('abort', () => (this.settings.clock.clearTimeout(handle), resolve()), { once: true });
    });

  readonly #sink: BackfillSink = {
    resume: async () => {},
    write: async (_slice, rows) => {
      const request = rowsToRequest(rows);
      const size = encodeExportRequest(request).length;
      const { telemetry, id } = this.settings;
      for (;;) {
        const result = await this.intake.submit(request.resourceLogs!, rows.length, size);
        if (result.kind === 'accepted') {
          telemetry.receiverAccepted.inc({ receiver: id, transport: 'posthog' }, rows.length);
          return 0;
        }
        telemetry.receiverRefused.inc({ receiver: id, transport: 'posthog', reason: result.kind === 'failed' ? 'export_failed' : result.cause }, rows.length);
        if (result.kind === 'failed') throw new Error(`the pipeline failed a page: ${result.reason}`);
        this.#abort.signal.throwIfAborted();
        await this.#sleep(result.retryAfterSeconds * 1000);
      }
    },
  };

  async start(): Promise<void> {
    const { config, settings } = this;
    const range = backfillRange(config, settings.clock.now());
    if (typeof range === 'string') throw new Error(range);
    // Up to "now": one job whatever the day, read on at each start from where the last one ended — a restart
    // neither reads the same hours twice nor leaves a gap. A fixed range is a job of its own.
    const following = config.to === 'now';
    const job = `${settings.id}:${backfillJob(config.endpoint, config.project_id, config.services, following ? { fromUs: 0, toUs: 0, sliceUs: range.sliceUs } : range)}`;
    const client = new PosthogLogsClient({
      host: config.endpoint,
      projectId: config.project_id,
      personalApiKey: config.personal_api_key,
      services: config.services,
      pageSize: config.page_size,
      maxInFlight: config.max_in_flight,
      maxRetries: 10,
      sleep: this.#sleep,
      tracer: settings.telemetry.tracer,
    });
    const backfill = new Backfill({ job, ...range, extend: following, concurrency: config.max_in_flight, store: settings.store.get(), client, sink: this.#sink, signal: this.#abort.signal });
    settings.logger.info({ receiver: settings.id, from: new Date(range.fromUs / 1000).toISOString(), to: new Date(range.toUs / 1000).toISOString(), job }, 'PostHog backfill started');
    this.#running = backfill.run().then(
      (result) => settings.logger.info({ receiver: settings.id, ...result }, 'PostHog backfill finished'),
      (error: Error) => {
        if (this.#abort.signal.aborted) return;
        settings.logger.error({ receiver: settings.id, code: 'LOGSIFT_ERR_BACKFILL' satisfies ErrorCode, err: error.message }, 'PostHog backfill stopped; its checkpoints stand, a restart goes on from them');
      },
    );
  }

  async shutdown(): Promise<void> {
    this.#abort.abort(new Error('the daemon is stopping'));
    await this.#running;
  }
}

export const posthogReceiverFactory: ReceiverFactory<PosthogReceiverConfig> = {
  kind: 'receiver',
  type: 'posthog',
  defaultConfig: defaultPosthogReceiverConfig,
  validate: validatePosthogReceiverConfig,
  create: (settings, config, intake) => new PosthogReceiver(settings, config, intake),
};
