// `logsift posthog rules` through the real bin against the stand-in's sampling-rules API: a report of
// `logsift analyze --json` becomes one severity_sampling rule per service; a dry run writes nothing,
// --apply creates, a second --apply changes nothing, a changed report updates (PostHog moves the version),
// rules not named by logsift are never touched, and a team without the feature flag is told so.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { PosthogQueryStandin } from '../support/posthog_query_standin.js';

const START = Date.UTC(2026, 10, 30, 9, 0, 0);
const KEY = 'phx_rules_test_key';
const WRITER = 'phx_rules_writer';

/** Two services over an hour: a loud INFO line, DEBUG chatter, WARNs, a few ERRORs, and quiet patterns seen once in a while. */
function traffic(): string {
  const lines: string[] = [];
  for (let m = 0; m < 60; m++) {
    for (const service of ['api', 'billing']) {
      const records = [];
      for (let i = 0; i < 300; i++) {
        const kind = i % 10;
        records.push({
          timeUnixNano: String(BigInt(START + m * 60_000 + i * 190) * 1_000_000n),
          severityNumber: kind < 6 ? 9 : kind < 9 ? 5 : 13,
          body: { stringValue: kind < 6 ? `GET /items/${i} answered 200 in ${i % 50} ms` : kind < 9 ? `cache lookup ${i} took ${i % 7} us` : `slow query ${i} took ${i} ms` },
          traceId: (m * 1000 + i + (service === 'api' ? 0 : 500_000) + 1).toString(16).padStart(32, '0'),
        });
      }
      if (m % 20 === 0) records.push({ timeUnixNano: String(BigInt(START + m * 60_000 + 59_000) * 1_000_000n), severityNumber: 17, body: { stringValue: `payment ${m} failed` }, traceId: '' });
      // Quiet patterns: each seen a few times an hour, in windows of their own.
      for (let q = 0; q < 8; q++) if ((m + q) % 6 === 0) records.push({ timeUnixNano: String(BigInt(START + m * 60_000 + 1000 + q) * 1_000_000n), severityNumber: 9, body: { stringValue: `rare event kind${q} happened for tenant ${m}` }, traceId: '' });
      lines.push(JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords: records }] }] }));
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('logsift posthog rules', () => {
  const standin = new PosthogQueryStandin([]);
  standin.keys.set(KEY, ['logs:read']);
  standin.keys.set(WRITER, ['logs:read', 'logs:write']);
  standin.rules.push({ id: '01900000-0000-7000-8000-00000000aaaa', name: 'drop healthchecks', enabled: true, priority: 1, rule_type: 'path_drop', scope_service: null, config: { patterns: ['/healthz'] }, version: 3 });
  let host = '';
  let report = '';
  let dir = '';
  before(async () => {
    host = await standin.start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-rules-'));
    const input = path.join(dir, 'traffic.jsonl');
    writeFileSync(input, traffic());
    const analysed = await runCli(['analyze', '--input', input, '--no-tuner', '--json']);
    assert.equal(analysed.code, 0, analysed.stderr);
    report = path.join(dir, 'report.json');
    writeFileSync(report, analysed.stdout);
  });
  after(() => standin.stop());
  const args = () => ['posthog', 'rules', '--report', report, '--posthog', host, '--project', '7'];

  it('a dry run plans a rule per service at the shares logsift kept, writes nothing, and says what server-side rules lose', async () => {
    const dry = await runCli([...args(), '--json'], { LOGSIFT_POSTHOG_KEY: KEY });
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { applied: boolean; plan: Array<{ service: string; change: string; rule: { config: { actions: Record<string, { type: string; rate?: number }> } }; estimate: { records_kept: number; logsift_kept: number; pattern_windows_unseen: number; quiet_pattern_windows: number } }>; left_alone: Array<{ name: string }>; limits: string[] };
    assert.equal(plan.applied, false);
    assert.deepEqual(plan.plan.map((p) => [p.service, p.change]), [['api', 'create'], ['billing', 'create']]);
    assert.deepEqual(standin.ruleRequests.map((r) => r.method), ['GET'], 'only the list was read');
    const analysis = (JSON.parse(readFileSync(report, 'utf8')) as { services: Array<{ service: string; severities: Record<string, { seen: number; kept: number }> }> }).services.find((s) => s.service === 'api')!;
    const api = plan.plan[0]!;
    assert.equal(api.rule.config.actions.ERROR!.type, 'keep');
    const info = analysis.severities.INFO!;
    assert.equal(api.rule.config.actions.INFO!.rate, Math.ceil((info.kept / info.seen) * 10_000) / 10_000, 'INFO sampled at the share logsift kept');
    assert.ok(Math.abs(api.estimate.records_kept - api.estimate.logsift_kept) / api.estimate.logsift_kept < 0.05, 'the same volume');
    assert.ok(api.estimate.pattern_windows_unseen > 0, `quiet pattern-windows a rule leaves unseen: ${api.estimate.pattern_windows_unseen} of ${api.estimate.quiet_pattern_windows}`);
    assert.deepEqual(plan.left_alone.map((r) => r.name), ['drop healthchecks']);
    assert.ok(plan.limits.some((l) => /first record of each pattern/.test(l)) && plan.limits.some((l) => /no anomaly boost/.test(l)) && plan.limits.some((l) => /no retro/.test(l)));
    const text = await runCli(args(), { LOGSIFT_POSTHOG_KEY: KEY });
    assert.match(text.stdout, /Dry run/);
    assert.match(text.stdout, /create +logsift: api \(priority 100\): DEBUG sample [\d.]+, INFO sample [\d.]+, WARN sample [\d.]+, ERROR keep/);
  });

  it('--apply creates, a second --apply changes nothing, a changed report updates; other rules untouched', async () => {
    standin.ruleRequests.length = 0;
    const first = await runCli([...args(), '--apply', '--json'], { LOGSIFT_POSTHOG_KEY: WRITER });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(standin.rules.map((r) => [r.name, r.version]), [['drop healthchecks', 3], ['logsift: api', 1], ['logsift: billing', 1]]);
    assert.equal((standin.rules[1] as { scope_service: string }).scope_service, 'api');
    standin.ruleRequests.length = 0;
    const again = await runCli([...args(), '--apply', '--json'], { LOGSIFT_POSTHOG_KEY: WRITER });
    assert.deepEqual((JSON.parse(again.stdout) as { plan: Array<{ change: string }> }).plan.map((p) => p.change), ['unchanged', 'unchanged']);
    assert.ok(standin.ruleRequests.every((r) => r.method === 'GET'), 'idempotent: nothing written the second time');
    // A report where billing kept more INFO: its rule is updated and PostHog moves its version.
    const changed = JSON.parse(readFileSync(report, 'utf8')) as { services: Array<{ service: string; severities: Record<string, { seen: number; kept: number }> }> };
    const billing = changed.services.find((s) => s.service === 'billing')!;
    billing.severities.INFO!.kept = Math.round(billing.severities.INFO!.seen / 2);
    const changedFile = path.join(dir, 'changed.json');
    writeFileSync(changedFile, JSON.stringify(changed));
    const update = await runCli(['posthog', 'rules', '--report', changedFile, '--posthog', host, '--project', '7', '--apply'], { LOGSIFT_POSTHOG_KEY: WRITER });
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, /update +logsift: billing \(priority 101, version 2\): DEBUG sample [\d.]+, INFO sample 0\.5,/);
    assert.match(update.stdout, /unchanged logsift: api/);
    assert.deepEqual(standin.rules.map((r) => r.version), [3, 1, 2]);
  });

  it('says plainly when the key cannot write or the team lacks the feature flag', async () => {
    standin.rules.splice(1);
    const cannotWrite = await runCli([...args(), '--apply'], { LOGSIFT_POSTHOG_KEY: KEY });
    assert.equal(cannotWrite.code, 1);
    assert.match(cannotWrite.stderr, /HTTP 403: API key missing required scope 'logs:write'/);
    standin.rulesEnabled = false;
    const flagged = await runCli(args(), { LOGSIFT_POSTHOG_KEY: KEY });
    assert.equal(flagged.code, 1);
    assert.match(flagged.stderr, /HTTP 403: .*logs-sampling-rules/);
  });
});
