// The `alerts` extension: the anomaly processor's findings (its `logsift anomaly opened` / `closed` events)
// become grouped, confirmed, silenced and repeated alerts (alert_engine.ts), sent to Slack, PagerDuty and
// signed webhooks (destinations.ts) through per-destination outboxes (delivery.ts), and published as
// `logsift alert fired` / `logsift alert resolved` events for the posthog exporter. Serves alerts_api.ts.
// Alerts, waiting notifications and silences are kept in the store: a restart resumes them (a firing alert
// still gets its resolve; nothing waiting for a destination is lost).
import type { DaemonEvent } from '../pipeline/event_bus.js';
import type { CreateSettings, Extension, ExtensionFactory } from '../pipeline/component.js';
import { randomUUID } from 'node:crypto';
import { AlertEngine, type Alert, type AlertChange, type Finding, type FindingKind, type Notification } from './alert_engine.js';
import { SAMPLER_TRAFFIC } from '../policy/traffic_tape.js';
import { ALERTS_PREFIX, alertJson, alertsRoute } from './alerts_api.js';
import { FINDING_KINDS, defaultAlertsConfig, validateAlertsConfig, type AlertsConfig } from './config.js';
import { DeliveryLog, Outbox } from './delivery.js';
import { PagerDutyDestination, SlackDestination, WebhookDestination, type Destination } from './destinations.js';
import { QuietHours } from './quiet_hours.js';
import { Silences, type Silence } from './silences.js';
import { redactLine } from '../tuner/redact.js';
import { defaultTunerConfig } from '../tuner/config.js';
import { createProvider } from '../tuner/tuner.js';
import { Explainer } from './explainer.js';
import { measuredProvider } from '../tuner/providers/measured_provider.js';

const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const TEMPLATE_CHARS = 300;
const SAMPLE_CHARS = 300;
/** A policy change this long before an alert opened is named in it. */
const CHANGE_WINDOW_MS = 30 * 60_000;
const DAY_MS = 24 * 3_600_000;
/** How often the engine is asked what is due: well under the shortest interval people set. */
const TICK_MS = 1000;

function findingOf(event: DaemonEvent): Finding | undefined {
  const p = event.properties;
  if (typeof p.anomaly_id !== 'string' || typeof p.service !== 'string' || !FINDING_KINDS.includes(p.kind as FindingKind)) return undefined;
  return {
    id: p.anomaly_id,
    kind: p.kind as FindingKind,
    service: p.service,
    pattern: typeof p.pattern_id === 'string' ? p.pattern_id : '',
    start: Number(p.start),
    end: typeof p.end === 'number' ? p.end : null,
    observed: Number(p.observed),
    expected: Number(p.expected),
    score: Number(p.score),
    error: p.error === true,
  };
}

class AlertsExtension implements Extension {
  readonly #engine: AlertEngine;
  readonly #silences: Silences;
  readonly #log = new DeliveryLog();
  readonly #outboxes: Outbox[] = [];
  readonly #quiet: QuietHours;
  readonly #explainer: Explainer | undefined;
  /** Held during quiet hours, the newest per alert; and whether each alert was told before they began. */
  readonly #held = new Map<string, { notification: Notification; toldBefore: boolean }>();
  #timer: unknown;
  #running = false;
  #unsubscribe: (() => void) | undefined;
  #unwatchPolicies: (() => void) | undefined;
  /** The last policy change per service (what an alert says changed before it). */
  readonly #policyChanges = new Map<string, { at: number; version: number }>();
  #removeRoute: (() => void) | undefined;
  readonly #metrics;
  /** The engine's revision last saved to the store. */
  #savedRevision = -1;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: AlertsConfig,
  ) {
    this.#silences = new Silences(config.max_silences, (silence) => {
      try {
        // Ended silences are kept a day for the listing, then forgotten.
        settings.store.get().saveSilence({ ...silence, matchers: JSON.stringify(silence.matchers) }, settings.clock.now() - DAY_MS);
      } catch (error) {
        settings.logger.error({ err: error, silence: silence.id }, 'could not keep a silence in the store; it holds until the daemon stops');
      }
    });
    this.#quiet = new QuietHours(config.quiet_hours.intervals, config.quiet_hours.time_zone);
    const explain = config.explain;
    if (explain.provider !== 'none') {
      // The tuner's providers, with the explanation's own settings.
      const provider = explain.provider === 'rules' ? undefined : measuredProvider(createProvider({ ...defaultTunerConfig(), provider: explain.provider, openai: { ...explain.openai, price: { input_per_million: 0, output_per_million: 0 } }, anthropic: { ...explain.anthropic, price: { input_per_million: 0, output_per_million: 0 } }, ollama: explain.ollama, timeout: explain.timeout, retries: explain.retries }, settings.clock), settings.telemetry, 'explanation', settings.clock);
      this.#explainer = new Explainer(provider, { maxCallsPerHour: explain.max_calls_per_hour, minConfidence: explain.min_confidence, keep: config.keep_resolved + 100 }, settings.clock, settings.logger);
    }
    const confirmForMs = Object.fromEntries(Object.entries(config.confirm_for).map(([k, d]) => [k, d!.ms]));
    this.#engine = new AlertEngine(
      {
        groupBy: config.group_by.includes('pattern') ? 'service_pattern' : 'service',
        groupWaitMs: config.group_wait.ms,
        groupIntervalMs: config.group_interval.ms,
        repeatIntervalMs: config.repeat_interval.ms,
        sendResolved: config.send_resolved,
        confirmForMs,
        keepResolved: config.keep_resolved,
        newPatterns: config.new_patterns,
      },
      this.#silences,
    );
    const { telemetry } = settings;
    this.#metrics = {
      notifications: telemetry.counter({ name: 'logsift_alert_notifications_total', help: 'Alert notifications decided, by reason: new, changed, repeat, resolved.', labelNames: ['reason'] as const }),
      deliveries: telemetry.counter({ name: 'logsift_alert_deliveries_total', help: 'Alert delivery attempts by destination and outcome: delivered, retry, failed, superseded (a newer state of the alert replaced it while it waited).', labelNames: ['destination', 'outcome'] as const }),
    };
    telemetry.gauge({ name: 'logsift_alerts_open', help: 'Alerts open (pending or firing).', read: () => this.#engine.list().open.length });
    telemetry.gauge({ name: 'logsift_alert_destinations_broken', help: 'Alert destinations marked broken (failing for good, or longer than broken_after).', read: () => this.#outboxes.filter((o) => o.state().broken).length });
  }

  #destinations(): Destination[] {
    const { config } = this;
    const external = config.external_url.replace(/\/+$/, '');
    return [
      ...config.slack.map((d) => new SlackDestination(`slack/${d.name}`, d.url, d.services ?? [])),
      ...config.pagerduty.map((d) => new PagerDutyDestination(`pagerduty/${d.name}`, d.url ?? PAGERDUTY_EVENTS_URL, d.routing_key, d.services ?? [])),
      ...config.webhook.map((d) => new WebhookDestination(`webhook/${d.name}`, d.url, d.secret, d.services ?? [], external)),
    ];
  }

  async start(): Promise<void> {
    const { settings, config } = this;
    try {
      this.#silences.restore(settings.store.get().silences().map((row) => ({ ...row, matchers: JSON.parse(row.matchers) as Silence['matchers'] })));
    } catch (error) {
      settings.logger.error({ err: error }, 'the silences kept from the last run cannot be read; starting without them');
    }
    this.#restoreAlerts();
    for (const destination of this.#destinations()) {
      const kind = `outbox:${destination.id}`;
      const kept = {
        save: (n: Notification) => settings.store.get().saveAlertState(kind, n.alert.id, JSON.stringify(n)),
        drop: (alertId: string) => settings.store.get().saveAlertState(kind, alertId, null),
      };
      this.#outboxes.push(
        new Outbox(
          destination,
          { retry: { initialMs: config.retry.initial_interval.ms, maxMs: config.retry.max_interval.ms }, timeoutMs: config.timeout.ms, brokenAfterMs: config.broken_after.ms, tracer: settings.telemetry.tracer },
          settings.clock,
          settings.logger,
          (entry) => this.#log.add(entry),
          (outcome) => this.#metrics.deliveries.inc({ destination: destination.id, outcome }),
          kept,
        ),
      );
      this.#restoreOutbox(this.#outboxes.at(-1)!, kind);
    }
    this.#unsubscribe = settings.events.subscribe((event) => {
      if (event.name !== 'logsift anomaly opened' && event.name !== 'logsift anomaly closed') return;
      const finding = findingOf(event);
      if (!finding) return;
      if (event.name === 'logsift anomaly opened') this.#engine.opened(finding, settings.clock.now());
      else this.#engine.closed(finding);
    });
    this.#unwatchPolicies = settings.policies.onChange((service) => {
      this.#policyChanges.set(service, { at: settings.clock.now(), version: settings.policies.get(service)?.version ?? 0 });
    });
    this.#removeRoute = settings.routes.add(
      ALERTS_PREFIX,
      alertsRoute({
        engine: this.#engine,
        silences: this.#silences,
        deliveries: this.#log,
        destinations: () => this.#outboxes.map((o) => o.state()),
        test: (service) => this.#test(service),
        now: () => settings.clock.now(),
      }),
    );
    this.#running = true;
    this.#schedule();
  }

  /** The alerts saved before a restart, open again (see restored_grace) or listed as resolved. */
  #restoreAlerts(): void {
    try {
      const alerts = this.settings.store.get().alertState('alert').map((row) => JSON.parse(row.json) as Alert);
      this.#engine.restore(alerts, this.settings.clock.now(), this.config.restored_grace.ms);
      this.#savedRevision = this.#engine.revision;
      const open = alerts.filter((a) => a.status !== 'resolved').length;
      if (open > 0) this.settings.logger.info({ open }, 'alerts open before the restart are open again');
    } catch (error) {
      this.settings.logger.error({ err: error }, 'the alerts kept from the last run cannot be read; starting without them');
    }
  }

  /** Notifications that waited for a destination when the daemon stopped wait again. */
  #restoreOutbox(outbox: Outbox, kind: string): void {
    try {
      for (const row of this.settings.store.get().alertState(kind)) outbox.enqueue(JSON.parse(row.json) as Notification);
    } catch (error) {
      this.settings.logger.error({ err: error, destination: outbox.destination.id }, 'the notifications kept for a destination cannot be read; they are not sent');
    }
  }

  /** The open and recent alerts, saved when they changed. */
  #saveAlerts(): void {
    const revision = this.#engine.revision;
    if (revision === this.#savedRevision) return;
    const { open, resolved } = this.#engine.list();
    try {
      this.settings.store.get().replaceAlertState('alert', [...open, ...resolved].map((a) => ({ key: a.id, json: JSON.stringify(a) })));
      this.#savedRevision = revision;
    } catch (error) {
      this.settings.logger.error({ err: error }, 'could not keep the alerts in the store; a restart would forget them');
    }
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.settings.clock.setTimeout(() => {
      try {
        this.tick();
      } catch (error) {
        this.settings.logger.error({ err: error }, 'the alert engine failed a tick');
      }
      this.#schedule();
    }, TICK_MS);
  }

  tick(): void {
    const now = this.settings.clock.now();
    const quiet = this.#quiet.quiet(now);
    for (const n of this.#engine.tick(now)) {
      if (quiet && (n.alert.severity !== 'critical' || this.config.quiet_hours.hold_critical)) this.#hold(n);
      else this.#dispatch(n);
    }
    if (!quiet && this.#held.size > 0) this.#release();
    this.#saveAlerts();
  }

  #hold(n: Notification): void {
    const held = this.#held.get(n.alert.id);
    // Told before the quiet hours began: its resolve (or newer state) is owed; first told within them: only if still firing at the end.
    const toldBefore = held ? held.toldBefore : n.reason !== 'new';
    this.#held.set(n.alert.id, { notification: n, toldBefore });
  }

  /** The quiet hours ended: what changed in them goes out, as each alert stands now. */
  #release(): void {
    for (const { notification, toldBefore } of this.#held.values()) {
      if (notification.reason === 'resolved' && !toldBefore) continue;
      this.#dispatch(notification);
    }
    this.#held.clear();
  }

  /**
   * What an alert is sent with besides its findings: each pattern's template and the lines the sampler kept
   * while it was open (both redacted: log text carries personal data), a link to the pattern, and what
   * changed in its service in the half hour before it opened — a policy that went live, a new
   * `service.version` or deployment in the resources.
   */
  #withContext(n: Notification): Notification {
    const a = n.alert;
    const ids = [...new Set(a.findings.map((f) => f.pattern).filter(Boolean))];
    let templates = new Map<string, string>();
    try {
      if (ids.length > 0) templates = this.settings.store.get().patternTemplates(a.service, ids);
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'could not read templates for an alert; it goes without them');
    }
    const evidence = this.settings.daemonShared.lookup(SAMPLER_TRAFFIC)?.evidence?.();
    for (const f of a.findings) {
      if (f.pattern) f.template = redactLine(templates.get(f.pattern) ?? '(template not catalogued yet)', TEMPLATE_CHARS);
      if (evidence && this.config.sample_lines > 0) f.samples = evidence.lines(a.service, f.pattern, this.config.sample_lines).map((l) => ({ ...l, body: redactLine(l.body, SAMPLE_CHARS) }));
      const link = this.config.links.pattern;
      if (link && f.pattern) f.link = link.replaceAll('{service}', encodeURIComponent(a.service)).replaceAll('{pattern_id}', encodeURIComponent(f.pattern));
    }
    const from = a.openedAt - CHANGE_WINDOW_MS;
    const until = a.openedAt + this.config.group_wait.ms;
    const changes: AlertChange[] = (evidence?.changes(a.service, from) ?? []).filter((c) => c.at <= until).map((c) => ({ ...c, from: c.from === null ? null : redactLine(c.from, 100), to: redactLine(c.to, 100) }));
    const policy = this.#policyChanges.get(a.service);
    if (policy && policy.at <= until && policy.at >= from) changes.push({ kind: 'policy', at: policy.at, version: policy.version });
    a.changes = changes.sort((x, y) => x.at - y.at);
    return n;
  }

  #dispatch(raw: Notification): void {
    const n = this.#withContext(raw);
    this.#metrics.notifications.inc({ reason: n.reason });
    this.settings.logger.warn({ alert: n.alert.id, service: n.alert.service, severity: n.alert.severity, reason: n.reason }, n.reason === 'resolved' ? 'alert resolved' : 'alert firing');
    for (const outbox of this.#outboxes) {
      const services = outbox.destination.services;
      if (services.length === 0 || services.includes(n.alert.service)) outbox.enqueue(n);
    }
    if (this.config.events) {
      this.settings.events.publish({ name: n.reason === 'resolved' ? 'logsift alert resolved' : 'logsift alert fired', timestamp: n.at, properties: { reason: n.reason, ...alertJson(n.alert) } as DaemonEvent['properties'] });
    }
    // After the notification, never before it: a slow or failing author delays nothing.
    if (this.#explainer && (n.reason === 'new' || n.reason === 'changed')) void this.#explain(n.alert);
  }

  async #explain(snapshot: Alert): Promise<void> {
    try {
      const explanation = await this.#explainer!.explain(snapshot);
      if (!this.#running) return;
      const live = this.#engine.get(snapshot.id);
      if (live) live.explanation = explanation;
      if (this.config.events) this.settings.events.publish({ name: 'logsift alert explained', timestamp: this.settings.clock.now(), properties: { alert_id: snapshot.id, service: snapshot.service, ...(explanation as unknown as DaemonEvent['properties']) } });
    } catch (error) {
      this.settings.logger.error({ err: error, alert: snapshot.id }, 'explaining an alert failed');
    }
  }

  /** A made-up warning through every destination taking `service`, to check the wiring end to end. */
  #test(service: string): { alert_id: string; destinations: string[] } {
    const now = this.settings.clock.now();
    const id = `test-${randomUUID()}`;
    const finding: Finding = { id: `${id}-finding`, kind: 'spike', service, pattern: '', start: now, end: null, observed: 0, expected: 0, score: 0, error: false };
    const alert: Alert = { id, groupKey: service, service, pattern: null, status: 'firing', severity: 'warning', findings: [finding], openedAt: now, resolvedAt: null, notifiedAt: now, changedSinceNotified: false, notifications: 1 };
    const sent: string[] = [];
    for (const outbox of this.#outboxes) {
      const services = outbox.destination.services;
      if (services.length > 0 && !services.includes(service)) continue;
      outbox.enqueue({ alert, reason: 'new', at: now });
      sent.push(outbox.destination.id);
    }
    this.settings.logger.info({ alert: id, destinations: sent }, 'test alert sent');
    return { alert_id: id, destinations: sent };
  }

  async shutdown(): Promise<void> {
    this.#running = false;
    this.settings.clock.clearTimeout(this.#timer);
    this.#unsubscribe?.();
    this.#unwatchPolicies?.();
    this.#removeRoute?.();
    this.#removeRoute = undefined;
    for (const outbox of this.#outboxes) outbox.stop();
    // Explanations arrive without a change of revision: the last state is saved whatever it is (if there is
    // one: a daemon that never started must not overwrite what the last run kept).
    if (this.#savedRevision !== -1) {
      this.#savedRevision = -1;
      this.#saveAlerts();
    }
  }
}

export const alertsExtensionFactory: ExtensionFactory<AlertsConfig> = {
  kind: 'extension',
  type: 'alerts',
  defaultConfig: defaultAlertsConfig,
  validate: validateAlertsConfig,
  create: (settings, config) => new AlertsExtension(settings, config),
};
