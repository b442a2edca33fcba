// Policy versions: every accepted policy is a new version in the store with who wrote it and why (author,
// model, reasoning, prompt hash, tokens and cost, replay report, clamps), and goes live on the policy board.
// Versions only grow: a rollback is a new version carrying an older one's policy. At start the newest version
// of every service is put back on the board, so a restart keeps what the tuner decided.
import type { PolicyBoard } from '../policy/board.js';
import type { Policy } from '../policy/policy.js';
import type { SharedStore } from '../store/shared_store.js';
import type { PolicyVersionRow } from '../store/store.js';
import type { Clamp } from './guard.js';
import type { ReplayReport } from '../policy/replay_report.js';

export interface VersionMeta {
  author: string;
  model: string | null;
  reasoning: string;
  promptHash: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  replay: { candidate: ReplayReport; current: ReplayReport | null } | null;
  clamps: Clamp[];
}

export interface PolicyVersion {
  service: string;
  version: number;
  created_at: string;
  author: string;
  model: string | null;
  reasoning: string;
  prompt_hash: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  replay: VersionMeta['replay'];
  clamps: Clamp[];
  policy: Policy;
}

export interface Rejection {
  at: string;
  author: string;
  model: string | null;
  reason: string;
  candidate: Policy | null;
  replay: VersionMeta['replay'];
  clamps: Clamp[];
}

function fromRow(row: PolicyVersionRow): PolicyVersion {
  return {
    service: row.service,
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    author: row.author,
    model: row.model,
    reasoning: row.reasoning,
    prompt_hash: row.prompt_hash,
    tokens_in: row.tokens_in,
    tokens_out: row.tokens_out,
    cost_usd: row.cost_usd,
    replay: row.replay === null ? null : (JSON.parse(row.replay) as VersionMeta['replay']),
    clamps: JSON.parse(row.clamps) as Clamp[],
    policy: JSON.parse(row.policy) as Policy,
  };
}

export class PolicyVersions {
  constructor(
    private readonly store: SharedStore,
    private readonly board: PolicyBoard,
    private readonly now: () => number,
  ) {}

  /** Puts every service's newest version back on the board. */
  load(): number {
    const newest = new Map<string, PolicyVersionRow>();
    for (const row of this.store.get().policyVersions()) newest.set(row.service, row);
    for (const row of newest.values()) this.board.set(JSON.parse(row.policy) as Policy);
    return newest.size;
  }

  /**
   * Stores `policy` as the service's next version and puts it live; returns the stored policy. `previous` is
   * the policy in force: the first change of a service stores it as version 0 (author `config`), so there is
   * always something to roll back to.
   */
  activate(policy: Policy, meta: VersionMeta, previous?: Policy): Policy {
    const history = this.store.get().policyVersions(policy.service);
    if (history.length === 0 && previous) {
      const base: Policy = { ...previous, service: policy.service, version: 0 };
      const row = { service: policy.service, version: 0, created_at: this.now(), policy: JSON.stringify(base), author: 'config', model: null, reasoning: previous.reasoning };
      this.store.get().addPolicyVersion({ ...row, prompt_hash: null, tokens_in: 0, tokens_out: 0, cost_usd: 0, replay: null, clamps: '[]' });
      history.push({ ...row, prompt_hash: null, tokens_in: 0, tokens_out: 0, cost_usd: 0, replay: null, clamps: '[]' });
    }
    const live = this.board.get(policy.service);
    const version = Math.max(history.at(-1)?.version ?? 0, live?.version ?? 0) + 1;
    const stored: Policy = { ...policy, version, reasoning: meta.reasoning };
    this.store.get().addPolicyVersion({
      service: policy.service,
      version,
      created_at: this.now(),
      policy: JSON.stringify(stored),
      author: meta.author,
      model: meta.model,
      reasoning: meta.reasoning,
      prompt_hash: meta.promptHash,
      tokens_in: meta.tokensIn,
      tokens_out: meta.tokensOut,
      cost_usd: meta.costUsd,
      replay: meta.replay === null ? null : JSON.stringify(meta.replay),
      clamps: JSON.stringify(meta.clamps),
    });
    this.board.set(stored);
    return stored;
  }

  reject(service: string, meta: Omit<VersionMeta, 'promptHash' | 'tokensIn' | 'tokensOut' | 'costUsd' | 'reasoning'> & { reason: string; candidate: Policy | null }): void {
    this.store.get().addPolicyRejection({
      service,
      at: this.now(),
      author: meta.author,
      model: meta.model,
      reason: meta.reason,
      candidate: meta.candidate === null ? null : JSON.stringify(meta.candidate),
      replay: meta.replay === null ? null : JSON.stringify(meta.replay),
      clamps: JSON.stringify(meta.clamps),
    });
  }

  history(service: string): PolicyVersion[] {
    return this.store.get().policyVersions(service).map(fromRow);
  }

  rejections(service: string): Rejection[] {
    return this.store
      .get()
      .policyRejections(service)
      .map((r) => ({
        at: new Date(r.at).toISOString(),
        author: r.author,
        model: r.model,
        reason: r.reason,
        candidate: r.candidate === null ? null : (JSON.parse(r.candidate) as Policy),
        replay: r.replay === null ? null : (JSON.parse(r.replay) as VersionMeta['replay']),
        clamps: JSON.parse(r.clamps) as Clamp[],
      }));
  }

  /** A new version carrying `version`'s policy; undefined when there is no such version. */
  rollback(service: string, version: number, reason: string): Policy | undefined {
    const target = this.history(service).find((v) => v.version === version);
    if (!target) return undefined;
    return this.activate(target.policy, { author: 'rollback', model: null, reasoning: `rollback to version ${version}: ${reason}`, promptHash: null, tokensIn: 0, tokensOut: 0, costUsd: 0, replay: null, clamps: [] });
  }
}
