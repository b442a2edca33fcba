// Findings (the anomaly processor's opened/closed anomalies) become alerts people act on, in Alertmanager's
// terms. Findings are grouped into one alert per service and incident: while a service's alert is open, every
// new finding of the service joins it (a deploy's spike, its new error pattern and its error-ratio surge are
// one alert). A finding of a kind listed in `confirm_for` counts only once it has stayed open that long (N of
// M: noisy kinds must persist). A new alert is first notified `group_wait` after it opened, so related
// findings arrive with it; an alert that changed is notified again at most every `group_interval`; one that
// did not, every `repeat_interval` while it fires. When every finding has closed the alert resolves (notified
// once, if `send_resolved`). A new pattern counts only when its records are ERROR or above (`new_patterns:
// errors`: a release's new INFO line is news for the pattern list, not a page), and a pattern new within the
// hour that drops or falls silent is its incident ending, not another. Silenced findings count for nothing; an alert whose findings are all silenced
// is not notified. With `group_by: [service, pattern]`, a service-wide alert (a finding on no pattern)
// inhibits the pattern alerts of its service. The engine is a state machine on times it is given: the
// extension ticks it on the daemon's clock.
import { randomUUID } from 'node:crypto';
import type { Explanation } from './explanation.js';
import type { Silences } from './silences.js';

export type FindingKind = 'spike' | 'drop' | 'level_shift' | 'new_pattern' | 'error_ratio' | 'silence';

export interface Finding {
  id: string;
  kind: FindingKind;
  service: string;
  /** '' for a service-wide finding. */
  pattern: string;
  start: number;
  end: number | null;
  observed: number;
  expected: number;
  score: number;
  /** About records of ERROR and above (an error pattern, an error-ratio surge). */
  error: boolean;
  /** The pattern's template (redacted), filled in when the alert is sent. */
  template?: string;
  /** Lines kept (or brought back) while it was open, redacted, newest last; filled in when the alert is sent. */
  samples?: SampleLine[];
  /** Where to see the pattern (the `links.pattern` template filled in). */
  link?: string;
  /** A drop or silence of a pattern new within the hour when it opened: its incident ending, never a page. */
  endsNewPattern?: boolean;
  /**
   * Set on a finding restored after a restart: the detector that found it is gone, so it closes at this time
   * (as of the restart) unless the restarted detector finds its service again meanwhile.
   */
  restoredUntil?: number;
}

export interface SampleLine {
  at: number;
  severity: string;
  body: string;
  trace_id: string;
  how: 'kept' | 'retro';
}

/** What changed in the service shortly before an alert opened: a policy went live, or a resource value was new. */
export type AlertChange = { kind: 'policy'; at: number; version: number } | { kind: 'resource'; at: number; key: string; from: string | null; to: string };

export type AlertSeverity = 'critical' | 'error' | 'warning';
export type AlertStatus = 'pending' | 'firing' | 'resolved';

export interface Alert {
  id: string;
  /** service, or service and pattern: what the alert groups by. */
  groupKey: string;
  service: string;
  pattern: string | null;
  status: AlertStatus;
  severity: AlertSeverity;
  findings: Finding[];
  openedAt: number;
  resolvedAt: number | null;
  /** When it was last notified (null: never), and what had changed since. */
  notifiedAt: number | null;
  changedSinceNotified: boolean;
  /** Notifications sent for it (firing and resolved). */
  notifications: number;
  /** What changed in the service shortly before it opened (filled in when the alert is sent). */
  changes?: AlertChange[];
  /** Its explanation, once an author gave one (after the alert went out). */
  explanation?: Explanation;
}

/** What the engine asks to be sent: an alert firing (first time, changed, repeated) or resolved. */
export interface Notification {
  alert: Alert;
  reason: 'new' | 'changed' | 'repeat' | 'resolved';
  at: number;
}

export interface EngineOptions {
  groupBy: 'service' | 'service_pattern';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  sendResolved: boolean;
  /** Per kind: how long a finding must stay open before it counts. */
  confirmForMs: Partial<Record<FindingKind, number>>;
  /** Resolved alerts kept for `GET /api/v1/alerts` (the newest). */
  keepResolved: number;
  /** `errors`: a new pattern counts only when its records are ERROR or above (a release's new INFO line is news). */
  newPatterns: 'errors' | 'all';
}

export class AlertEngine {
  readonly #open = new Map<string, Alert>();
  readonly #resolved: Alert[] = [];
  /** Finding id → the alert holding it. */
  readonly #byFinding = new Map<string, Alert>();
  /** (service, pattern) → when a new-pattern finding on it opened, for an hour: its going away is no outage. */
  readonly #newPatterns = new Map<string, number>();
  /** Counts every change to the alerts (what the extension saves when it moved). */
  #revision = 0;

  constructor(
    private readonly options: EngineOptions,
    private readonly silences: Silences,
  ) {}

  /** A finding opened (or was updated): it joins its group's open alert, or opens one. */
  opened(finding: Finding, now: number): void {
    for (const [key, at] of this.#newPatterns) if (at < now - NEW_PATTERN_MEMORY_MS) this.#newPatterns.delete(key);
    if (finding.kind === 'new_pattern') this.#newPatterns.set(groupKeyOf(finding.service, finding.pattern), finding.start);
    this.#revision += 1;
    const known = this.#byFinding.get(finding.id);
    if (known) {
      Object.assign(known.findings.find((f) => f.id === finding.id)!, finding);
      return;
    }
    // Judged once, as it opens: a silence that outlasts the hour the pattern counts as new still ends its incident.
    if ((finding.kind === 'drop' || finding.kind === 'silence') && finding.pattern && this.#newPatterns.has(groupKeyOf(finding.service, finding.pattern))) finding = { ...finding, endsNewPattern: true };
    const key = this.#groupKey(finding);
    let alert = this.#open.get(key);
    if (!alert) {
      alert = {
        id: randomUUID(),
        groupKey: key,
        service: finding.service,
        pattern: this.options.groupBy === 'service_pattern' ? finding.pattern : null,
        status: 'pending',
        severity: 'warning',
        findings: [],
        openedAt: now,
        resolvedAt: null,
        notifiedAt: null,
        changedSinceNotified: false,
        notifications: 0,
      };
      this.#open.set(key, alert);
    }
    // Open, whatever end a caller's record of it carries: closed() closes it.
    alert.findings.push({ ...finding, end: null });
    alert.changedSinceNotified = true;
    alert.severity = severityOf(alert.findings);
    this.#byFinding.set(finding.id, alert);
  }

  /** A finding closed: once all of its alert's findings have, the alert resolves at the next tick. */
  closed(finding: Finding): void {
    const alert = this.#byFinding.get(finding.id);
    if (!alert) return;
    const held = alert.findings.find((f) => f.id === finding.id)!;
    held.end = finding.end ?? finding.start;
    this.#revision += 1;
  }

  get revision(): number {
    return this.#revision;
  }

  /**
   * Alerts saved before a restart: the open ones open again, as notified, each finding closing after
   * `graceMs` (as of the restart) unless its service is found again by then; the resolved ones listed.
   */
  restore(alerts: readonly Alert[], now: number, graceMs: number): void {
    for (const alert of alerts) {
      if (alert.status === 'resolved') {
        this.#resolved.push(alert);
        continue;
      }
      for (const f of alert.findings) {
        if (f.end !== null) continue;
        f.restoredUntil = now + graceMs;
        this.#byFinding.set(f.id, alert);
      }
      this.#open.set(alert.groupKey, alert);
    }
    this.#resolved.sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0));
    this.#resolved.splice(0, Math.max(0, this.#resolved.length - this.options.keepResolved));
    this.#revision += 1;
  }

  /** What is due at `now`: notifications to send, in the order they became due. */
  tick(now: number): Notification[] {
    const out: Notification[] = [];
    for (const [key, alert] of this.#open) {
      for (const f of alert.findings) {
        if (f.end === null && f.restoredUntil !== undefined && now >= f.restoredUntil) {
          f.end = f.restoredUntil;
          this.#revision += 1;
        }
      }
      const counted = this.#counted(alert, now);
      const allClosed = alert.findings.every((f) => f.end !== null);
      if (allClosed) {
        this.#open.delete(key);
        for (const f of alert.findings) this.#byFinding.delete(f.id);
        alert.status = 'resolved';
        alert.resolvedAt = now;
        this.#revision += 1;
        this.#resolved.push(alert);
        if (this.#resolved.length > this.options.keepResolved) this.#resolved.shift();
        // Only what was announced is resolved: an alert nobody heard of closes quietly.
        if (alert.notifiedAt !== null && this.options.sendResolved) out.push(this.#notify(alert, 'resolved', now));
        continue;
      }
      if (counted.length === 0 || this.#inhibited(alert, now)) continue;
      alert.severity = severityOf(counted);
      if (alert.notifiedAt === null) {
        const firstCounted = Math.min(...counted.map((f) => this.#countsFrom(f)));
        if (now >= Math.max(alert.openedAt, firstCounted) + this.options.groupWaitMs) {
          alert.status = 'firing';
          out.push(this.#notify(alert, 'new', now));
        }
        continue;
      }
      if (alert.changedSinceNotified && now >= alert.notifiedAt + this.options.groupIntervalMs) out.push(this.#notify(alert, 'changed', now));
      else if (now >= alert.notifiedAt + this.options.repeatIntervalMs) out.push(this.#notify(alert, 'repeat', now));
    }
    return out;
  }

  /** Open alerts (pending and firing), newest first, then the resolved ones kept. */
  list(): { open: Alert[]; resolved: Alert[] } {
    return { open: [...this.#open.values()].sort((a, b) => b.openedAt - a.openedAt), resolved: [...this.#resolved].reverse() };
  }

  get(id: string): Alert | undefined {
    return [...this.#open.values(), ...this.#resolved].find((a) => a.id === id);
  }

  /** The findings that count now: confirmed (open long enough, for a kind that must be) and not silenced. */
  #counted(alert: Alert, now: number): Finding[] {
    return alert.findings.filter((f) => f.end === null && this.#pages(f) && now >= this.#countsFrom(f) && !this.silences.silenced(f, now));
  }

  #pages(f: Finding): boolean {
    if (f.kind === 'new_pattern') return f.error || this.options.newPatterns === 'all';
    // A pattern that only just appeared and goes away again (a new error that stops) ends its incident.
    return !f.endsNewPattern;
  }

  #countsFrom(f: Finding): number {
    return f.start + (this.options.confirmForMs[f.kind] ?? 0);
  }

  /** A pattern alert while a service-wide alert of its service counts (grouped by service and pattern). */
  #inhibited(alert: Alert, now: number): boolean {
    if (this.options.groupBy !== 'service_pattern' || !alert.pattern) return false;
    const serviceWide = this.#open.get(groupKeyOf(alert.service, ''));
    return serviceWide !== undefined && this.#counted(serviceWide, now).length > 0;
  }

  #groupKey(finding: Finding): string {
    return this.options.groupBy === 'service_pattern' ? groupKeyOf(finding.service, finding.pattern) : groupKeyOf(finding.service, null);
  }

  #notify(alert: Alert, reason: Notification['reason'], now: number): Notification {
    this.#revision += 1;
    alert.notifiedAt = now;
    alert.changedSinceNotified = false;
    alert.notifications += 1;
    // A snapshot: later findings do not rewrite what this notification said.
    return { alert: structuredClone(alert), reason, at: now };
  }
}

/** How long a pattern counts as new: a drop or silence on it within this is its incident ending. */
const NEW_PATTERN_MEMORY_MS = 60 * 60_000;

const groupKeyOf = (service: string, pattern: string | null) => (pattern === null ? service : `${service}\u0000${pattern}`);

/**
 * Critical: an error-ratio surge, a service gone silent, or three or more patterns at once (a blast radius);
 * error: a spike, a drop or a new pattern; warning: a level shift alone.
 */
export function severityOf(findings: readonly Finding[]): AlertSeverity {
  const patterns = new Set(findings.map((f) => f.pattern));
  if (findings.some((f) => f.kind === 'error_ratio' || f.kind === 'silence') || patterns.size >= 3) return 'critical';
  if (findings.some((f) => f.kind !== 'level_shift')) return 'error';
  return 'warning';
}
