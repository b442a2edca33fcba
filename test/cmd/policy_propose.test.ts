// `logsift policy propose --config FILE --input TRAFFIC --json`: one tuner round offline over a traffic file,
// with the rules provider and with an OpenAI-compatible stand-in, printing candidate, acceptance, clamps,
// replay report, provider and reasoning; bad invocations fail with a clear message.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJsonExportRequest, exportRequestJson } from '../../proto/otlp_json.js';
import { runCli } from '../support/cli.js';
import { startLlmStandin, type LlmStandin } from '../support/llm_standin.js';
import { proposal } from '../support/tuner_rig.js';

const START = Date.UTC(2026, 10, 26, 9, 0, 0);

function minute(m: number, service: string, scale: number): string {
  const records: Array<{ body: string; severity: number; offsetMs: number }> = [];
  for (let i = 0; i < 200 * scale; i++) records.push({ body: `GET /api/items/${i} 200 in ${i % 40}ms`, severity: 9, offsetMs: (i * 300) % 60_000 });
  for (let i = 0; i < 50 * scale; i++) records.push({ body: `cache miss for key product:${i}:price`, severity: 5, offsetMs: (i * 1100) % 60_000 });
  records.push({ body: `payment ${m} failed: card_declined`, severity: 17, offsetMs: 30_000 });
  const request = decodeJsonExportRequest(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeLogs: [{ logRecords: records.map((r) => ({ body: { stringValue: r.body }, severityNumber: r.severity, timeUnixNano: String(BigInt(START + m * 60_000 + r.offsetMs) * 1_000_000n) })) }],
        },
      ],
    }),
  );
  return JSON.stringify(exportRequestJson(request));
}

function config(tuner: string): string {
  return `receivers:
  otlp: { protocols: { http: } }
processors:
  signature:
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m }
exporters:
  nop:
extensions:
  tuner:
${tuner}
service:
  extensions: [tuner]
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [nop] }
`;
}

describe('logsift policy propose (offline)', () => {
  let dir: string;
  let traffic: string;
  let standin: LlmStandin;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-propose-test-'));
    traffic = path.join(dir, 'traffic.jsonl');
    const lines: string[] = [];
    for (let m = 0; m < 15; m++) lines.push(minute(m, 'shop', 2), minute(m, 'auth', 1));
    writeFileSync(traffic, `${lines.join('\n')}\n`);
    standin = await startLlmStandin();
  });
  after(() => standin.close());

  it('runs a rules round over the traffic and prints the documented JSON', async () => {
    const file = path.join(dir, 'rules.yaml');
    writeFileSync(file, config('    provider: rules\n    target: { keep_fraction: 0.08 }'));
    const result = await runCli(['policy', 'propose', '--config', file, '--input', traffic, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { candidate: { severity_keep: Record<string, number>; budget: { keep_fraction: number } }; accepted: boolean; clamps: unknown[]; replay: { candidate: { records: number; error_retention: number; coverage: number; keep_fraction: number } }; provider: string; reasoning: string; service: string };
    assert.deepEqual(Object.keys(out).slice(0, 6), ['candidate', 'accepted', 'clamps', 'replay', 'provider', 'reasoning']);
    assert.equal(out.service, 'shop', 'the busiest service by default');
    assert.equal(out.provider, 'rules');
    assert.equal(out.candidate.severity_keep.ERROR, 1);
    assert.ok(out.replay.candidate.records > 1000);
    assert.equal(out.replay.candidate.error_retention, 1);
    assert.equal(out.replay.candidate.coverage, 1);
    assert.equal(out.accepted, true, JSON.stringify(out.replay));
    assert.ok(out.replay.candidate.keep_fraction <= 0.08);
    assert.match(out.reasoning, /^rules:/);
  });

  it('asks an OpenAI-compatible server when configured, for the service named', async () => {
    standin.script([{ reply: JSON.stringify(proposal({ reasoning: 'cache misses are noise' })) }]);
    const file = path.join(dir, 'openai.yaml');
    writeFileSync(file, config(`    provider: openai\n    target: { keep_fraction: 0.1 }\n    openai: { base_url: "${standin.url}/v1", api_key: "sk-test", model: "gpt-standin" }`));
    const result = await runCli(['policy', 'propose', '--config', file, '--input', traffic, '--service', 'auth', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { provider: string; reasoning: string; accepted: boolean; service: string; candidate: { budget: { keep_fraction: number } } };
    assert.equal(out.provider, 'openai');
    assert.equal(out.service, 'auth');
    assert.equal(out.reasoning, 'cache misses are noise');
    assert.equal(out.candidate.budget.keep_fraction, 0.06);
    assert.equal(standin.received.length, 1);
  });

  it('says what is wrong with a bad invocation', async () => {
    const noConfig = await runCli(['policy', 'propose', '--input', traffic]);
    assert.equal(noConfig.code, 1);
    assert.match(noConfig.stderr, /--input needs --config/);
    const file = path.join(dir, 'rules.yaml');
    const unknown = await runCli(['policy', 'propose', '--config', file, '--input', traffic, '--service', 'nobody']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /nobody is not in the traffic \(services: /);
    const badTemplate = path.join(dir, 'bad.md');
    writeFileSync(badTemplate, 'Hello {{who}}');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, config(`    prompts: { user: "${badTemplate}" }`));
    const invalid = await runCli(['policy', 'propose', '--config', bad, '--input', traffic]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /extensions\.tuner\.prompts\.user: .*unknown variables who/);
  });
});
