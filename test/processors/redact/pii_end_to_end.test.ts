// Records full of personal data and secrets, sent by the real OpenTelemetry SDK through a chain like the
// default one (redact first) with a spike that opens an anomaly, boosts, retro-flushes and alerts, and a tuner
// round through an LLM stand-in: no raw value reaches PostHog, the LLM's prompt, the alert webhook, the alerts
// API, or any file in the data dir (the store, its WAL, the queue) — and what was redacted is said on the
// records that went out.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OTLP_RECEIVER, startDaemon, type TestDaemon } from '../../support/daemon.js';
import { fakeClock } from '../../support/fake_clock.js';
import { startLlmStandin, type LlmStandin } from '../../support/llm_standin.js';
import { PosthogStandin } from '../../support/posthog_standin.js';
import { webhookStandIn, type AlertmanagerPayload, type StandIn } from '../../support/alert_standins.js';
import { SeverityNumber, sdkExporter, sdkProvider } from '../../support/otel_clients.js';
import { untilTurns as until } from '../../support/io_turns.js';

const W = 60_000;
const RAW = {
  email: 'maria.gonzalez@example.org',
  card: '4111 1111 1111 1111',
  iban: 'DE89370400440532013000',
  ssn: '078-05-1120',
  phone: '+44 20 7946 0958',
  ip: '203.0.113.77',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  password: 'hunter2hunter2',
  bearer: '9f8e7d6c5b4a39281706aa',
  hostIp: '198.51.100.23',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('personal data never leaves the redact processor', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-pii-'));
  const { fake, clock } = fakeClock();
  const posthog = new PosthogStandin();
  let llm: LlmStandin;
  let hook: StandIn<AlertmanagerPayload>;
  let daemon: TestDaemon;

  before(async () => {
    fake.setSystemTime(Math.ceil(fake.now / W) * W);
    llm = await startLlmStandin(() => fake.now);
    llm.script([{ status: 500, message: 'the prompt is what this test reads' }]);
    hook = await webhookStandIn('hook secret for the pii test');
    daemon = await startDaemon(
      `${OTLP_RECEIVER}processors:
  redact:
  signature: { catalog: { flush_interval: 5s } }
  ratestats: { window: 1m }
  anomaly:
  sampler: { window: 1m, ledger: { flush_interval: 5s } }
exporters:
  posthog: { endpoint: "${await posthog.start()}", api_key: phc_pii, sending_queue: { persistent: true } }
extensions:
  tuner:
    provider: openai
    interval: 24h
    openai: { base_url: "${llm.url}/v1", api_key: sk-test, model: gpt-standin }
    retries: 0
  alerts:
    group_wait: 10s
    webhook: [{ name: hook, url: "${hook.url}", secret: "hook secret for the pii test" }]
service:
  data_dir: "${dir}"
  extensions: [tuner, alerts]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [redact, signature, ratestats, anomaly, sampler], exporters: [posthog] }
`,
      { clock },
    );
  });
  after(async () => {
    await daemon?.stop();
    await posthog.stop();
    await llm?.close();
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches no exporter, prompt, alert, API answer or file', async () => {
    const sdk = sdkProvider(sdkExporter('http/protobuf', daemon, false), { 'service.name': 'checkout', 'host.ip': RAW.hostIp });
    const emit = (n: number, window: number) => {
      for (let i = 0; i < n; i++) {
        sdk.logger.emit({
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `order ${window * 10_000 + i} paid by ${RAW.email} with card ${RAW.card} from ${RAW.ip}, refund to ${RAW.iban}, call ${RAW.phone}`,
          attributes: { 'user.email': RAW.email, 'user.ssn': RAW.ssn, authorization: `Bearer ${RAW.bearer}`, 'request.json': JSON.stringify({ token: RAW.jwt, aws: RAW.aws, login: `password=${RAW.password}` }) },
        });
      }
    };
    for (let window = 0; window < 10; window++) {
      emit(40, window);
      await sdk.flush();
      await fake.tickAsync(W);
    }
    emit(800, 10);
    await sdk.flush();
    await fake.tickAsync(W);
    emit(40, 11);
    await sdk.flush();
    await fake.tickAsync(11_000);
    await until('the alert went out', () => hook.received.length, (n) => n >= 1);
    const proposed = await fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/policies/checkout/propose`, { method: 'POST' });
    await proposed.arrayBuffer();
    await until('the LLM was asked', () => llm.received.length, (n) => n >= 1);
    await fake.tickAsync(10_000); // the ledger's, the catalog's and the queue's flushes
    await until('PostHog has the records', () => posthog.records, (n) => n > 100);
    const alerts = await (await fetch(`http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts`)).text();
    await sdk.shutdown();
    await daemon.stop();

    const places: Record<string, string> = {
      posthog: JSON.stringify(posthog.received.map((r) => r.request)) + JSON.stringify(posthog.events),
      prompt: JSON.stringify(llm.received.map((r) => r.body)),
      alert: JSON.stringify(hook.received),
      'alerts API': alerts,
      ...Object.fromEntries(filesUnder(dir).map((f) => [path.relative(dir, f), readFileSync(f).toString('latin1')])),
    };
    assert.ok(Object.keys(places).some((p) => p.endsWith('.db') || p.includes('store')), `the store is among the files: ${Object.keys(places).join(', ')}`);
    assert.match(places.prompt!, /<email>|<card>|<ipv4>/, 'the prompt saw the redacted lines');
    assert.match(places.alert!, /sample_lines/, 'the alert carried sample lines');
    for (const [where, text] of Object.entries(places)) {
      for (const [kind, raw] of Object.entries(RAW)) assert.ok(!text.includes(raw), `${kind} (${raw}) reached ${where}`);
    }
    // (The JWT sits under a `token` key in the JSON attribute: redacted whole, counted as a key.)
    const summaries = posthog.received.flatMap((r) => (r.request.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((l) => l.attributes?.find((a) => a.key === 'logsift.redacted')?.value?.stringValue))));
    assert.ok(summaries.length > 0 && summaries.every((s) => s === 'aws_key=1,card=1,email=2,iban=1,ipv4=1,key=2,password=1,phone=1,ssn=1'), `summaries: ${[...new Set(summaries)].join(' | ')}`);
  });
});
