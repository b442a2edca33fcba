// PostHog's server-side sampling rules API (../shared/contracts/posthog.md): `/api/projects/:id/logs/
// sampling_rules/`, a personal key, DRF pages followed by `next`, `version` read-only and moved by PostHog on
// every update. Behind the feature flag `logs-sampling-rules`: a 403 says so.
import type { ServerRule, StoredRule } from '../../cost/server_rules.js';

export class PosthogRulesError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class PosthogRulesClient {
  readonly #base: string;

  constructor(
    host: string,
    projectId: string,
    private readonly personalApiKey: string,
  ) {
    this.#base = `${host.replace(/\/$/, '')}/api/projects/${encodeURIComponent(projectId)}/logs/sampling_rules/`;
  }

  /** Every rule of the project, all pages. */
  async list(): Promise<StoredRule[]> {
    const rules: StoredRule[] = [];
    for (let url: string | null = this.#base; url; ) {
      const page = (await this.#call('GET', url)) as { results?: StoredRule[]; next?: string | null } | StoredRule[];
      if (Array.isArray(page)) return page;
      rules.push(...(page.results ?? []));
      url = page.next ?? null;
    }
    return rules;
  }

  async create(rule: ServerRule): Promise<StoredRule> {
    return (await this.#call('POST', this.#base, rule)) as StoredRule;
  }

  async update(id: string, rule: ServerRule): Promise<StoredRule> {
    return (await this.#call('PATCH', `${this.#base}${encodeURIComponent(id)}/`, rule)) as StoredRule;
  }

  async #call(method: string, url: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.personalApiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new PosthogRulesError(0, `cannot reach PostHog at ${url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.ok) return text ? (JSON.parse(text) as unknown) : {};
    let detail = text.slice(0, 300);
    try {
      detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? detail);
    } catch {
      // Not JSON: shown as it came.
    }
    const hint =
      response.status === 401
        ? ' (a personal API key, phx_…, is needed)'
        : response.status === 403
          ? ' (the key needs logs:read to list and logs:write to change rules, and the team the logs-sampling-rules feature flag)'
          : '';
    throw new PosthogRulesError(response.status, `PostHog refused ${method} ${url}: HTTP ${response.status}: ${detail}${hint}`);
  }
}
