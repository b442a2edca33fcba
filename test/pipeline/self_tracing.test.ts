// logsift's traces of its own work (`service.telemetry.traces`): a daemon with traces on, an OTLP/HTTP traces
// stand-in, an LLM stand-in and a webhook for alerts; records exported, a tuner round asked for, a test alert
// sent. The spans arrive with their attributes and their parents: the round's LLM call and replay gate are
// its children, in its trace. And a PostHog query is a span of its own.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PosthogLogsClient } from '../../receivers/posthog/query_client.js';
import { startDaemon, type TestDaemon } from '../support/daemon.js';
import { eventually } from '../support/eventually.js';
import { startLlmStandin, type LlmStandin } from '../support/llm_standin.js';
import { PosthogQueryStandin } from '../support/posthog_query_standin.js';
import { posthogRows } from '../support/posthog_rows.js';
import { proposal } from '../support/tuner_rig.js';

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number } }>;
  status?: { code?: number };
}

/** An OTLP/HTTP JSON traces receiver: every span it was sent, and the resources they came with. */
async function tracesStandin(): Promise<{ url: string; spans: JsonSpan[]; services: string[]; close(): Promise<void> }> {
  const spans: JsonSpan[] = [];
  const services: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as { resourceSpans: Array<{ resource: { attributes: JsonSpan['attributes'] }; scopeSpans: Array<{ spans: JsonSpan[] }> }> };
      for (const rs of request.resourceSpans) {
        services.push(String(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue));
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans, services, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const attribute = (span: JsonSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.boolValue ?? (value?.intValue !== undefined ? Number(value.intValue) : value?.doubleValue);
};

describe('the daemon\'s own traces', () => {
  let traces: Awaited<ReturnType<typeof tracesStandin>>;
  let llm: LlmStandin;
  let hook: http.Server;
  let d: TestDaemon;
  before(async () => {
    traces = await tracesStandin();
    llm = await startLlmStandin();
    hook = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    d = await startDaemon(`
receivers:
  otlp:
    protocols:
      http: { endpoint: "{{HTTP}}" }
processors:
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler: {}
exporters:
  file: { path: "{{DIR}}/out.jsonl", sending_queue: { enabled: true } }
extensions:
  tuner: { provider: openai, interval: 1h, openai: { base_url: "${llm.url}/v1", api_key: "sk-test-standin", model: "gpt-standin" } }
  alerts:
    webhook: [{ name: hook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts", secret: "a-secret-of-sixteen-bytes" }]
service:
  data_dir: "{{DIR}}"
  extensions: [tuner, alerts]
  telemetry:
    metrics: { address: "{{TELEMETRY}}" }
    traces: { endpoint: "${traces.url}" }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly, sampler], exporters: [file] }
`);
  });
  after(async () => {
    await d?.stop();
    await llm?.close();
    hook?.close();
    await traces?.close();
  });

  it('sends a span for each export attempt, tuner round (its LLM call and replay gate under it) and alert delivery', async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ timeUnixNano: String(BigInt(Date.now() - 200 + i) * 1_000_000n), severityNumber: 9, body: { stringValue: `GET /api/items/${i} 200` } }));
    const sent = await fetch(d.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeLogs: [{ logRecords: records }] }] }) });
    assert.equal(sent.status, 200);
    const endpoint = `http://127.0.0.1:${d.telemetryPort}`;
    llm.script([{ reply: JSON.stringify(proposal()) }]);
    const round = await fetch(`${endpoint}/api/v1/policies/checkout/propose`, { method: 'POST' });
    assert.equal(round.status, 200, await round.clone().text());
    const alert = await fetch(`${endpoint}/api/v1/alerts/test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.ok(alert.ok, await alert.clone().text());
    // The delivery goes out on its own; stopping before it is answered would abort it.
    await eventually('the test alert delivered', async () => /logsift_alert_deliveries_total\{[^}]*outcome="delivered"[^}]*\} [1-9]/.test(await (await fetch(`${endpoint}/metrics`)).text()));
    // Stopping sends what the queue and the span processor still hold.
    await d.daemon.stop();

    assert.ok(traces.services.every((s) => s === 'logsift'));
    const named = (name: string) => traces.spans.filter((s) => s.name === name);
    const exportSpan = named('export')[0];
    assert.ok(exportSpan, traces.spans.map((s) => s.name).join(', '));
    assert.equal(attribute(exportSpan, 'logsift.exporter'), 'file');
    assert.equal(attribute(exportSpan, 'logsift.outcome'), 'success');
    assert.ok(Number(attribute(exportSpan, 'logsift.records')) > 0);

    const [roundSpan] = named('tuner.round');
    assert.ok(roundSpan);
    assert.equal(attribute(roundSpan, 'logsift.service'), 'checkout');
    assert.equal(attribute(roundSpan, 'logsift.provider'), 'openai');
    const [llmSpan] = named('llm.call');
    assert.ok(llmSpan);
    assert.equal(llmSpan.traceId, roundSpan.traceId, 'the LLM call is in the round\'s trace');
    assert.equal(llmSpan.parentSpanId, roundSpan.spanId, 'and under the round');
    assert.equal(attribute(llmSpan, 'gen_ai.system'), 'openai');
    assert.equal(attribute(llmSpan, 'gen_ai.usage.input_tokens'), 1200);
    const [gate] = named('tuner.replay_gate');
    assert.ok(gate);
    assert.equal(gate.parentSpanId, roundSpan.spanId);
    assert.equal(typeof attribute(gate, 'logsift.accepted'), 'boolean');

    const [delivery] = named('alert.delivery');
    assert.ok(delivery);
    assert.equal(attribute(delivery, 'logsift.destination'), 'webhook/hook');
    assert.equal(attribute(delivery, 'logsift.outcome'), 'delivered');
  });

  it('traces a PostHog query attempt with its path and answer', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const from = Date.UTC(2026, 10, 30) * 1000;
    const standin = new PosthogQueryStandin(posthogRows(10, from, from + 3_600_000_000));
    standin.keys.set('phx_trace_key', ['logs:read', 'query:read']);
    const host = await standin.start();
    try {
      const client = new PosthogLogsClient({ host, projectId: '1', personalApiKey: 'phx_trace_key', services: [], pageSize: 100, maxInFlight: 1, maxRetries: 1, sleep: async () => undefined, tracer: provider.getTracer('test') });
      const page = await client.logsPage(from, from + 3_600_000_000, undefined);
      assert.equal(page.kind === 'page' ? page.rows.length : -1, 10);
      const [span] = exporter.getFinishedSpans();
      assert.equal(span?.name, 'posthog.query');
      assert.match(String(span!.attributes['url.path']), /^\/api\/projects\/1\/logs\/query\/?$/);
      assert.equal(span!.attributes['http.response.status_code'], 200);
    } finally {
      await standin.stop();
    }
  });
});
