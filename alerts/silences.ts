// Silences, as Alertmanager has them: matchers (service, kind, pattern — each exact, absent matches any),
// a start and an end, who set it and why. A finding a silence matches counts for nothing while the silence
// is active. Snoozing an alert is a silence on its service (and pattern) for a while. Kept in the store too
// (`saved`), so a restart does not page what someone silenced; bounded in memory: past `max`, the silence
// that ends first goes.
import { randomUUID } from 'node:crypto';
import { compileConfigSchema } from '../config/schema_validator.js';
import type { Finding } from './alert_engine.js';

export interface Silence {
  id: string;
  matchers: { service?: string; kind?: string; pattern?: string };
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
}

const SILENCE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['matchers', 'created_by', 'comment'],
  properties: {
    matchers: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { service: { type: 'string', minLength: 1 }, kind: { type: 'string', minLength: 1 }, pattern: { type: 'string' } },
    },
    starts_at: { type: 'string', minLength: 1 },
    ends_at: { type: 'string', minLength: 1 },
    duration: { type: 'string', minLength: 1 },
    created_by: { type: 'string', minLength: 1, maxLength: 256 },
    comment: { type: 'string', minLength: 1, maxLength: 4096 },
  },
};

const checkSilence = compileConfigSchema(SILENCE_SCHEMA);

/** A silence asked for through the API: its problems, or its times (`ends_at`, else `duration` from the start). */
export function readSilence(body: unknown, now: number, parseDuration: (text: string) => number | undefined): { problems: string[] } | { silence: Omit<Silence, 'id'> } {
  const problems = checkSilence(body).map((p) => `${p.path || '(body)'}: ${p.message}`);
  if (problems.length > 0) return { problems };
  const b = body as { matchers: Silence['matchers']; starts_at?: string; ends_at?: string; duration?: string; created_by: string; comment: string };
  const start = b.starts_at === undefined ? now : Date.parse(b.starts_at);
  if (Number.isNaN(start)) problems.push('starts_at: not an RFC 3339 time');
  let end = b.ends_at === undefined ? undefined : Date.parse(b.ends_at);
  if (end !== undefined && Number.isNaN(end)) problems.push('ends_at: not an RFC 3339 time');
  if (end === undefined && b.duration !== undefined) {
    const ms = parseDuration(b.duration);
    if (ms === undefined || ms <= 0) problems.push('duration: must be a duration such as 30m or 2h');
    else end = start + ms;
  }
  if (end === undefined) problems.push('(body): give ends_at or duration');
  else if (end <= start) problems.push('ends_at: must be after starts_at');
  if (problems.length > 0) return { problems };
  return { silence: { matchers: b.matchers, starts_at: start, ends_at: end!, created_by: b.created_by, comment: b.comment } };
}

export class Silences {
  readonly #all = new Map<string, Silence>();

  constructor(
    private readonly max: number,
    /** Called with each silence added or ended early (the extension keeps them in the store). */
    private readonly saved: (silence: Silence) => void = () => undefined,
  ) {}

  /** Silences kept from an earlier run. */
  restore(silences: readonly Silence[]): void {
    for (const s of silences) this.#all.set(s.id, s);
  }

  add(silence: Omit<Silence, 'id'>): Silence {
    const made = { ...silence, id: randomUUID() };
    this.#all.set(made.id, made);
    this.saved(made);
    if (this.#all.size > this.max) {
      const victims = [...this.#all.values()].sort((a, b) => a.ends_at - b.ends_at);
      this.#all.delete(victims[0]!.id);
    }
    return made;
  }

  /** Ends a silence now (it stays listed, expired). */
  expire(id: string, now: number): Silence | undefined {
    const silence = this.#all.get(id);
    if (silence) {
      silence.ends_at = Math.min(silence.ends_at, now);
      this.saved(silence);
    }
    return silence;
  }

  list(): Silence[] {
    return [...this.#all.values()].sort((a, b) => b.starts_at - a.starts_at);
  }

  silenced(finding: Finding, now: number): boolean {
    for (const s of this.#all.values()) {
      if (now < s.starts_at || now >= s.ends_at) continue;
      const m = s.matchers;
      if ((m.service === undefined || m.service === finding.service) && (m.kind === undefined || m.kind === finding.kind) && (m.pattern === undefined || m.pattern === finding.pattern)) return true;
    }
    return false;
  }
}
