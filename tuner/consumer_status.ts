// What each consumer of a distributed policy says it did with it — a sidecar, an SDK, an OpAMP supervisor —
// reported to `POST /api/v1/policies/{service}/status` as {instance, hash, status, error}, with OpAMP's
// semantics: `applying` (received, not yet in force), `applied`, `failed` (with the reason, always). Kept in
// memory, newest report per (service, instance), bounded: the least recently reporting instance goes first.
import { LRUCache } from 'lru-cache';
import { compileConfigSchema } from '../config/schema_validator.js';

export const CONSUMER_STATUSES = ['applying', 'applied', 'failed'] as const;
export type ConsumerStatus = (typeof CONSUMER_STATUSES)[number];

export interface StatusReport {
  instance: string;
  hash: string;
  status: ConsumerStatus;
  error?: string;
}

export interface ConsumerState extends StatusReport {
  reported_at: string;
}

const REPORT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['instance', 'hash', 'status'],
  properties: {
    instance: { type: 'string', minLength: 1, maxLength: 256 },
    hash: { type: 'string', maxLength: 128 },
    status: { enum: [...CONSUMER_STATUSES] },
    error: { type: 'string', maxLength: 4096 },
  },
  // A failure without its reason is what OpAMP supervisors' users complain about: refused here.
  if: { properties: { status: { const: 'failed' } } },
  then: { required: ['error'], properties: { error: { type: 'string', minLength: 1 } } },
};

const checkReport = compileConfigSchema(REPORT_SCHEMA);

/** Problems with a report body ("path: message"), none when it is a valid report. */
export function reportProblems(body: unknown): string[] {
  return checkReport(body).map((p) => `${p.path || '(body)'}: ${p.message}`);
}

export class ConsumerStatuses {
  readonly #latest: LRUCache<string, ConsumerState>;

  constructor(maxInstances: number) {
    this.#latest = new LRUCache({ max: maxInstances });
  }

  record(service: string, report: StatusReport, at: number): void {
    const state: ConsumerState = { instance: report.instance, hash: report.hash, status: report.status, reported_at: new Date(at).toISOString() };
    if (report.error) state.error = report.error;
    this.#latest.set(`${service}\u0000${report.instance}`, state);
  }

  /** The service's consumers, each with whether it holds `currentHash`; counts by status and staleness. */
  list(service: string, currentHash: string | undefined) {
    const prefix = `${service}\u0000`;
    const instances: Array<ConsumerState & { current: boolean }> = [];
    for (const [key, state] of this.#latest.entries()) {
      if (key.startsWith(prefix)) instances.push({ ...state, current: state.hash === currentHash });
    }
    instances.sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
    const count = (status: ConsumerStatus) => instances.filter((i) => i.current && i.status === status).length;
    return {
      service,
      hash: currentHash ?? null,
      summary: { applied: count('applied'), applying: count('applying'), failed: count('failed'), behind: instances.filter((i) => !i.current).length },
      instances,
    };
  }
}
