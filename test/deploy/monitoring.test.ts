// The Grafana dashboard and the Prometheus alert rules in deploy/: every query names a metric a running
// daemon exports (its /metrics, with every component the queries read configured), every rule says how bad
// and what happened, and the dashboard is one Grafana can import (datasource variable, unique ids, a 24-wide
// grid). `promtool check rules` runs in `npm run check:deploy`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startDaemon, type TestDaemon } from '../support/daemon.js';

const DASHBOARD = new URL('../../deploy/grafana/logsift.json', import.meta.url);
const RULES = new URL('../../deploy/prometheus/logsift_rules.yaml', import.meta.url);

// Every component a query reads, so each registers its metrics (the Kafka receiver's is checked in its source:
// a broker is not started here).
const CONFIG = `
receivers:
  otlp:
    protocols:
      http: { endpoint: "{{HTTP}}" }
processors:
  redact: {}
  signature: {}
  ratestats: {}
  anomaly: {}
  sampler: {}
exporters:
  file: { path: "{{DIR}}/out.jsonl", sending_queue: { enabled: true } }
extensions:
  # An LLM author (never called here: the round is an hour away), so its calls are timed.
  tuner: { provider: openai, interval: 1h, openai: { base_url: "http://127.0.0.1:9/v1", api_key: "sk-none", model: "gpt-none" } }
  alerts:
    webhook: [{ name: hook, url: "http://127.0.0.1:9/hook", secret: "a-secret-of-sixteen-bytes" }]
service:
  data_dir: "{{DIR}}"
  extensions: [tuner, alerts]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [redact, signature, ratestats, anomaly, sampler], exporters: [file] }
`;

const named = (expr: string) => [...expr.matchAll(/\blogsift_[a-z0-9_]+/g)].map((m) => m[0]);

describe('monitoring: the dashboard and the alert rules', () => {
  let d: TestDaemon;
  let exported: Set<string>;
  before(async () => {
    d = await startDaemon(CONFIG);
    const text = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
    exported = new Set();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name!);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
    }
    // Registered by the Kafka receiver when it starts (receivers/kafka/factory.ts); no broker here.
    assert.match(readFileSync(new URL('../../receivers/kafka/factory.ts', import.meta.url), 'utf8'), /'logsift_kafka_receiver_lag_messages'/);
    exported.add('logsift_kafka_receiver_lag_messages');
  });
  after(async () => {
    await d?.stop();
  });

  it('every dashboard query names only metrics the daemon exports, and the dashboard is importable', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; templating: { list: Array<{ name: string }> }; panels: Array<{ id: number; type: string; title: string; gridPos: { x: number; w: number }; datasource?: { uid: string }; targets?: Array<{ expr: string }> }> };
    assert.ok(dashboard.uid);
    assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource'));
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const queries = dashboard.panels.filter((p) => p.type !== 'row');
    assert.ok(queries.length >= 20);
    for (const panel of queries) {
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the grid`);
      assert.equal(panel.datasource?.uid, '${datasource}', `${panel.title} reads the chosen Prometheus`);
      assert.ok(panel.targets && panel.targets.length > 0, panel.title);
      for (const { expr } of panel.targets) {
        assert.ok(named(expr).length > 0, `${panel.title}: ${expr}`);
        for (const metric of named(expr)) assert.ok(exported.has(metric), `${panel.title}: ${metric} is not exported`);
        assert.match(expr, /job=~"\$job", instance=~"\$instance"/, `${panel.title} follows the job and instance chosen`);
      }
    }
    // What the issue asks the dashboard to show.
    const titles = queries.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['accepted', 'kept', 'saved', 'queue', 'dead-lettered', 'anomalies', 'tuner', 'llm latency', 'llm spend', 'kafka lag']) assert.ok(titles.includes(topic), `a panel for ${topic}`);
  });

  it('every alert rule names only exported metrics and says its severity and what happened', () => {
    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels: { severity: string }; annotations: { summary: string; description: string } }> }> };
    const all = rules.groups.flatMap((g) => g.rules);
    for (const rule of all) {
      assert.ok(['critical', 'warning'].includes(rule.labels.severity), rule.alert);
      assert.ok(rule.annotations.summary && rule.annotations.description, rule.alert);
      assert.ok(named(rule.expr).length > 0, rule.alert);
      for (const metric of named(rule.expr)) assert.ok(exported.has(metric), `${rule.alert}: ${metric} is not exported`);
      assert.match(rule.expr, /by \([^)]*instance/, `${rule.alert} alerts per daemon`);
    }
    const names = all.map((r) => r.alert);
    for (const wanted of ['LogsiftRecordsLost', 'LogsiftExportQueueFilling', 'LogsiftDeadLettersRising', 'LogsiftExporterFailing', 'LogsiftTunerFailing', 'LogsiftMemoryNearLimit']) assert.ok(names.includes(wanted), wanted);
  });
});
