// The `console` extension: the web console on the telemetry server. Listed under `service.extensions`, it serves
//   /ui/                          the page (built by scripts/build_ui.js; no data in it, so no token needed)
//   GET /api/v1/overview[?minutes=60]   the first page's figures (overview.ts)
//   GET /api/v1/patterns…         the pattern pages (patterns_api.ts)
//   GET /api/v1/live              Server-Sent Events: `live` each second (the counters' last second and
//                                 totals), `ledger` when the sampler closed windows (figures changed)
// The other pages read the endpoints that already exist (policies, alerts, insights, fleet); the page asks
// for a token when the API answers 401 and sends it with every request.
import { compileConfigSchema } from '../../config/schema_validator.js';
import type { CreateSettings, Extension, ExtensionFactory } from '../../pipeline/component.js';
import { sendJson as send } from '../../pipeline/http_routes.js';
import { insightsOptions, PRICING_PROPERTIES } from '../../cost/factory.js';
import type { VendorName } from '../../cost/vendor_presets.js';
import type { PriceModel } from '../../cost/vendor_presets.js';
import { SAMPLER_TRAFFIC } from '../../policy/traffic_tape.js';
import { openEventStream, type EventStream } from './event_stream.js';
import { LiveCounters } from './live_counters.js';
import { overview } from './overview.js';
import { PATTERNS_PREFIX, patternsRoute } from './patterns_api.js';
import { consoleBundleDir, StaticFiles, UI_PREFIX } from './static_files.js';

export const OVERVIEW_PATH = '/api/v1/overview';
export const LIVE_PATH = '/api/v1/live';
const TICK_MS = 1_000;
const DEFAULT_WINDOW_MS = 60_000;
const MAX_STREAMS = 32;

export interface ConsoleConfig {
  vendor: VendorName;
  prices: Partial<PriceModel>;
  retention_days: number | null;
}

const checkSchema = compileConfigSchema({ type: 'object', additionalProperties: false, properties: PRICING_PROPERTIES });

class ConsoleExtension implements Extension {
  readonly #removers: Array<() => void> = [];
  readonly #live: LiveCounters;
  readonly #streams = new Set<EventStream>();
  #files: StaticFiles | undefined;
  #timer: unknown;
  #running = false;
  #unsubscribeLedger: (() => void) | undefined;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: ConsoleConfig,
  ) {
    this.#live = new LiveCounters(settings.telemetry.registry);
  }

  #traffic() {
    return this.settings.daemonShared.lookup(SAMPLER_TRAFFIC);
  }

  #windowMs(): number {
    return this.#traffic()?.windowMs ?? DEFAULT_WINDOW_MS;
  }

  async start(): Promise<void> {
    const files = new StaticFiles(consoleBundleDir());
    this.#files = files;
    if (!files.built) this.settings.logger.warn('the web console was not built (npm run build): /ui answers 503');
    const cost = insightsOptions({ ...this.config, top_patterns: 1 });
    const { routes, store, clock } = this.settings;
    this.#removers.push(routes.add(UI_PREFIX, async (req, res, path) => files.answer(req, res, path)));
    this.#removers.push(
      routes.add(PATTERNS_PREFIX, patternsRoute({ store: () => store.get(), traffic: () => this.#traffic(), cost, now: () => clock.now(), windowMs: () => this.#windowMs() })),
    );
    this.#removers.push(
      routes.add(OVERVIEW_PATH, async (req, res) => {
        req.resume();
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'the overview is read with GET' }, { allow: 'GET' });
        const minutesText = new URL(req.url ?? '/', 'http://console').searchParams.get('minutes');
        const minutes = minutesText === null ? 60 : Number(minutesText);
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60 * 24 * 90) return send(res, 400, { error: 'minutes must be a whole number from 1 to 129600' });
        const traffic = this.#traffic();
        const body = await overview({
          store: store.get(),
          registry: this.settings.telemetry.registry,
          live: this.#live,
          cost,
          now: clock.now(),
          minutes,
          windowMs: this.#windowMs(),
          openAnomalies: traffic?.anomalies()?.open().length ?? 0,
          services: traffic?.services().length ?? 0,
        });
        send(res, 200, body);
      }),
    );
    this.#removers.push(
      routes.add(LIVE_PATH, async (req, res) => {
        if (req.method !== 'GET') {
          req.resume();
          return send(res, 405, { error: 'the live stream is read with GET' }, { allow: 'GET' });
        }
        if (this.#streams.size >= MAX_STREAMS) {
          req.resume();
          return send(res, 503, { error: 'too many live streams are open' }, { 'retry-after': '10' });
        }
        const stream = openEventStream(req, res);
        this.#streams.add(stream);
        stream.onClose(() => this.#streams.delete(stream));
        this.#follow();
      }),
    );
    this.#running = true;
    this.#schedule();
  }

  /** The sampler shares its traffic once its pipeline is built: followed from the first stream on. */
  #follow(): void {
    if (this.#unsubscribeLedger) return;
    const traffic = this.#traffic();
    if (!traffic) return;
    this.#unsubscribeLedger = traffic.onLedger((rows) => {
      for (const stream of this.#streams) stream.send('ledger', { windows: rows.length });
    });
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.settings.clock.setTimeout(() => {
      this.#live
        .tick(this.settings.clock.now())
        .then((point) => {
          if (!point || this.#streams.size === 0) return;
          const message = { point, totals: this.#live.totals(), queue: this.#live.queue() };
          for (const stream of this.#streams) stream.send('live', message);
        })
        .catch((error: unknown) => this.settings.logger.error({ err: error }, 'the console could not read its counters'))
        .finally(() => this.#schedule());
    }, TICK_MS);
  }

  async shutdown(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.settings.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unsubscribeLedger?.();
    this.#unsubscribeLedger = undefined;
    for (const stream of this.#streams) stream.close();
    this.#streams.clear();
    for (const remove of this.#removers.splice(0)) remove();
  }
}

export const consoleExtensionFactory: ExtensionFactory<ConsoleConfig> = {
  kind: 'extension',
  type: 'console',
  defaultConfig: () => ({ vendor: 'posthog', prices: {}, retention_days: null }),
  validate: (config) => checkSchema(config),
  create: (settings, config) => new ConsoleExtension(settings, config),
};
