// `logsift posthog rules --report FILE --posthog HOST --project ID [--apply]`: an analysis (`logsift analyze
// --json`) as PostHog server-side sampling rules, one per service (cost/server_rules.ts), diffed against the
// rules in place. A dry run by default; `--apply` creates what is missing and updates what differs, and a
// second run changes nothing. Only rules named `logsift: …` are ever written; the others are listed, never
// touched. What a server-side rule cannot do is printed with every plan, with its estimated cost in
// pattern-windows left unseen.
import { readFileSync } from 'node:fs';
import type { ServiceAnalysis } from '../cost/analysis.js';
import { RULE_LEVELS, RULE_PREFIX, SERVER_RULE_LIMITS, planRules, serviceRule, type RuleAction } from '../cost/server_rules.js';
import { PosthogRulesClient, PosthogRulesError } from '../exporters/posthog/sampling_rules_api.js';

export interface RulesOptions {
  report: string;
  posthog: string;
  project: string;
  apply?: boolean;
  json?: boolean;
  /** Priority of the first service's rule (lower is matched first; first match wins). */
  priority: string;
}

function describe(a: RuleAction): string {
  return a.type === 'sample' ? `sample ${a.rate}` : a.type;
}

export async function posthogRulesCommand(options: RulesOptions): Promise<number> {
  const key = process.env.LOGSIFT_POSTHOG_KEY ?? '';
  if (key === '') {
    process.stderr.write('set LOGSIFT_POSTHOG_KEY to a personal API key (phx_…) with logs:read (and logs:write to --apply)\n');
    return 2;
  }
  const priority = Number(options.priority);
  if (!Number.isInteger(priority) || priority < 0) {
    process.stderr.write('--priority must be a whole number ≥ 0\n');
    return 2;
  }
  let services: ServiceAnalysis[];
  try {
    services = (JSON.parse(readFileSync(options.report, 'utf8')) as { services?: ServiceAnalysis[] }).services ?? [];
  } catch (error) {
    process.stderr.write(`${options.report}: not a report of logsift analyze --json (${(error as Error).message})\n`);
    return 1;
  }
  const wanted = services.map((s, i) => ({ s, made: serviceRule(s, priority + i) }));
  const unusable = wanted.filter((w) => !w.made).map((w) => w.s.service);
  if (unusable.length > 0) {
    process.stderr.write(`no per-level counts for ${unusable.join(', ')}: make the report from a replay (--input or --posthog), not --ledger\n`);
    return 1;
  }
  const client = new PosthogRulesClient(options.posthog, options.project, key);
  try {
    const existing = await client.list();
    const { plan, others } = planRules(wanted.map((w) => w.made!), existing);
    if (options.apply) {
      for (const p of plan) {
        if (p.change === 'create') {
          const created = await client.create(p.rule);
          [p.id, p.version] = [created.id, created.version];
        } else if (p.change === 'update') {
          const updated = await client.update(p.id!, p.rule);
          p.version = updated.version;
        }
      }
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ applied: options.apply === true, plan, left_alone: others.map((r) => ({ id: r.id, name: r.name, version: r.version })), limits: SERVER_RULE_LIMITS }, null, 2)}\n`);
      return 0;
    }
    const out: string[] = [options.apply ? 'Applied to PostHog:' : 'Dry run (nothing written; --apply to write):'];
    for (const p of plan) {
      const e = p.estimate;
      out.push(
        `  ${p.change.padEnd(9)} ${p.rule.name} (priority ${p.rule.priority}${p.version === null ? '' : `, version ${p.version}`}): ${RULE_LEVELS.map((l) => `${l} ${describe(p.rule.config.actions[l])}`).join(', ')}`,
        `            keeps ~${e.records_kept.toLocaleString('en-US')} of ${e.records_seen.toLocaleString('en-US')} records (logsift: ${e.logsift_kept.toLocaleString('en-US')}); leaves ~${e.pattern_windows_unseen.toLocaleString('en-US')} of ${e.quiet_pattern_windows.toLocaleString('en-US')} pattern-windows without an ERROR unseen (logsift: none)`,
      );
    }
    for (const r of others) out.push(`  left alone ${r.name} (not written by logsift${r.name.startsWith(RULE_PREFIX) ? ': no service of this report' : ''})`);
    out.push('What a server-side rule cannot do:', ...SERVER_RULE_LIMITS.map((l) => `  - ${l}`));
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof PosthogRulesError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}
