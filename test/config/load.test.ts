// The config loader: the embedded default, env substitution, LOGSIFT_* overrides, and every kind of error
// reported at once with its dotted path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../../cmd/components.js';
import { DEFAULT_CONFIG_PATH, parseConfigText, type LoadResult } from '../../pipeline/load_config.js';

const registry = builtinRegistry();
const load = (text: string, env: Record<string, string> = {}): LoadResult => parseConfigText(text, registry, env);

function errorsOf(result: LoadResult): string[] {
  assert.equal(result.kind, 'invalid', 'expected the config to be rejected');
  return (result as { errors: string[] }).errors;
}

const MINIMAL = `
receivers:
  otlp:
    protocols:
      http:
exporters:
  debug:
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [debug]
`;

describe('config loading', () => {
  it('the embedded default is valid: OTLP gRPC and HTTP on loopback into a file under ./data', () => {
    const result = load(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    assert.ok(result.kind === 'loaded', JSON.stringify(result));
    const otlp = result.config.receivers.get('otlp')!.config as { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
    assert.equal(otlp.protocols.grpc.endpoint, '127.0.0.1:4317');
    assert.equal(otlp.protocols.http.endpoint, '127.0.0.1:4318');
    assert.equal((result.config.exporters.get('file')!.config as { path: string }).path, './data/logs.jsonl');
    assert.equal(result.config.settings.telemetryAddress, '127.0.0.1:13133');
  });

  it('a protocol is enabled by being listed, with its defaults filled', () => {
    const result = load(MINIMAL);
    assert.ok(result.kind === 'loaded');
    const otlp = result.config.receivers.get('otlp')!.config as { protocols: Record<string, unknown> };
    assert.deepEqual(Object.keys(otlp.protocols), ['http']);
    assert.deepEqual(otlp.protocols.http, { endpoint: '127.0.0.1:4318', logs_url_path: '/v1/logs', max_request_body_size: 20 * 1024 * 1024 });
  });

  it('durations are read once, at load: every component gets milliseconds beside the text written', () => {
    const text = MINIMAL.replace('exporters:\n  debug:', 'processors:\n  batch:\n    timeout: 1m30s\nexporters:\n  otlp_http:\n    endpoint: http://127.0.0.1:4318\n    timeout: 0\n    retry_on_failure: { initial_interval: 250ms }')
      .replace('exporters: [debug]', 'processors: [batch]\n      exporters: [otlp_http]');
    const result = load(text);
    assert.ok(result.kind === 'loaded', JSON.stringify(result));
    assert.deepEqual((result.config.processors.get('batch')!.config as { timeout: unknown }).timeout, { ms: 90_000, text: '1m30s' });
    const exporter = result.config.exporters.get('otlp_http')!.config as { timeout: unknown; retry_on_failure: { initial_interval: unknown; max_interval: unknown } };
    assert.deepEqual(exporter.timeout, { ms: 0, text: '0' });
    assert.deepEqual(exporter.retry_on_failure.initial_interval, { ms: 250, text: '250ms' });
    assert.deepEqual(exporter.retry_on_failure.max_interval, { ms: 30_000, text: '30s' }, 'a default is read like a written value');
  });

  it('a mapping where a duration goes is refused, even one shaped like a read duration', () => {
    const text = MINIMAL.replace('exporters:\n  debug:', 'processors:\n  batch:\n    timeout: { ms: 5 }\nexporters:\n  debug:').replace('exporters: [debug]', 'processors: [batch]\n      exporters: [debug]');
    assert.deepEqual(errorsOf(load(text)), ['processors.batch.timeout: must be a duration such as 500ms, 30s or 5m']);
  });

  it('the result is frozen', () => {
    const result = load(MINIMAL);
    assert.ok(result.kind === 'loaded');
    assert.throws(() => {
      (result.config.settings as { dataDir: string }).dataDir = '/elsewhere';
    }, TypeError);
  });

  it('substitutes ${env:VAR} and ${env:VAR:-default}, typed as YAML when the value is one reference', () => {
    const text = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: \${env:GRPC_ENDPOINT}
        max_recv_msg_size_mib: \${env:GRPC_MIB}
      http:
        endpoint: "\${env:HTTP_HOST:-0.0.0.0}:\${env:HTTP_PORT:-4318}"
exporters:
  posthog:
    api_key: \${env:POSTHOG_TOKEN}
    endpoint: https://eu.i.posthog.com
    default_service_name: "cost $$5"
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [posthog] }
`;
    const result = load(text, { GRPC_ENDPOINT: '10.0.0.1:4317', GRPC_MIB: '16', HTTP_PORT: '9999', POSTHOG_TOKEN: 'phc_abc' });
    assert.ok(result.kind === 'loaded', JSON.stringify(result));
    const otlp = result.config.receivers.get('otlp')!.config as { protocols: { grpc: { endpoint: string; max_recv_msg_size_mib: unknown }; http: { endpoint: string } } };
    assert.equal(otlp.protocols.grpc.endpoint, '10.0.0.1:4317');
    assert.equal(otlp.protocols.grpc.max_recv_msg_size_mib, 16, 'a lone reference to a number is a number');
    assert.equal(otlp.protocols.http.endpoint, '0.0.0.0:9999');
    const posthog = result.config.exporters.get('posthog')!.config as { api_key: string; default_service_name: string };
    assert.equal(posthog.api_key, 'phc_abc');
    assert.equal(posthog.default_service_name, 'cost $5', '$$ escapes a dollar');
  });

  it('an unset variable without a default is an error naming it, as is an unsupported reference', () => {
    const errors = errorsOf(load(MINIMAL.replace('http:', 'http:\n        endpoint: ${env:NOT_SET_ANYWHERE}').replace('debug:', 'debug:\n    verbosity: ${file:x}')));
    assert.ok(errors.includes('receivers.otlp.protocols.http.endpoint: environment variable NOT_SET_ANYWHERE is not set and the reference has no default'), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('exporters.debug.verbosity: unsupported reference "${file:x}"')), errors.join('\n'));
  });

  it('an unset variable is one error, not also every rule its empty stand-in breaks', () => {
    const text = MINIMAL.replace('debug:', 'posthog:\n    api_key: ${env:TOKEN_NOT_SET}').replace('exporters: [debug]', 'exporters: [posthog]');
    assert.deepEqual(errorsOf(load(text)), ['exporters.posthog.api_key: environment variable TOKEN_NOT_SET is not set and the reference has no default']);
  });

  it('an order of processors that cannot work is a config error with its path, as is disagreement on time', () => {
    const text = MINIMAL.replace('exporters:\n  debug:', 'processors:\n  batch:\n  sampler:\n  anomaly:\n  ratestats: { time: record }\n  memory_limiter: { limit_mib: 512 }\nexporters:\n  debug:').replace('exporters: [debug]', 'processors: [batch, sampler, anomaly, ratestats, memory_limiter]\n      exporters: [debug]');
    assert.deepEqual(errorsOf(load(text)), [
      'service.pipelines.logs.processors[1]: sampler uses rate statistics, but ratestats comes after it: put ratestats before sampler',
      'service.pipelines.logs.processors[1]: sampler uses anomalies, but anomaly comes after it: put anomaly before sampler',
      'service.pipelines.logs.processors[2]: anomaly needs rate statistics from a processor before it (ratestats)',
      'service.pipelines.logs.processors[3]: ratestats needs patterns from a processor before it (signature)',
      'service.pipelines.logs.processors[4]: memory_limiter must come first: it refuses data before any work is spent on it',
      'service.pipelines.logs.processors: the processors that window by time must agree on which: sampler has time: arrival, anomaly has time: arrival, ratestats has time: record',
    ]);
    const good = MINIMAL.replace('exporters:\n  debug:', 'processors:\n  memory_limiter: { limit_mib: 512 }\n  signature:\n  ratestats:\n  anomaly:\n  sampler:\n  batch:\nexporters:\n  debug:').replace('exporters: [debug]', 'processors: [memory_limiter, signature, ratestats, anomaly, sampler, batch]\n      exporters: [debug]');
    assert.ok(load(good).kind === 'loaded', JSON.stringify(load(good)));
  });

  it('LOGSIFT_* environment variables override daemon settings in the file', () => {
    const text = MINIMAL.replace('service:', 'service:\n  data_dir: /from/file\n  telemetry:\n    logs: { level: warn }');
    const result = load(text, { LOGSIFT_DATA_DIR: '/from/env', LOGSIFT_TELEMETRY_ADDRESS: '0.0.0.0:9100', LOGSIFT_MAX_INFLIGHT_RECORDS: '500' });
    assert.ok(result.kind === 'loaded', JSON.stringify(result));
    assert.equal(result.config.settings.dataDir, '/from/env');
    assert.equal(result.config.settings.telemetryAddress, '0.0.0.0:9100');
    assert.equal(result.config.settings.maxInflightRecords, 500);
    assert.equal(result.config.settings.logLevel, 'warn', 'what the environment leaves alone comes from the file');
    // A bad value from the environment is reported at the setting's path, naming the variable.
    assert.deepEqual(errorsOf(load(MINIMAL, { LOGSIFT_MAX_INFLIGHT_RECORDS: 'lots', LOGSIFT_RETRY_AFTER: '5' })), [
      'service.limits.max_inflight_records: must be integer (from LOGSIFT_MAX_INFLIGHT_RECORDS)',
      'service.limits.retry_after: must be a duration such as 500ms, 30s or 5m (from LOGSIFT_RETRY_AFTER)',
    ]);
  });

  it('reports every error in a file at once, each with its dotted path and a nearest-key hint', () => {
    const errors = errorsOf(load(readFileSync(new URL('../support/fixtures/every_error.yaml', import.meta.url), 'utf8')));
    const expected = [
      'processers: unknown key (did you mean "processors"?)',
      'receivers.otlp.protocols.grpc.endpont: unknown key (did you mean "endpoint"?)',
      'receivers.otlp.protocols.http.endpoint: must be host:port, e.g. 127.0.0.1:4317',
      'receivers.otlp.protocols.http.max_request_body_size: must be >= 1',
      'receivers.otlpp: unknown receiver type "otlpp" (did you mean "otlp"?); known: kafka, otlp, posthog',
      'exporters.file.path: is required',
      'exporters.file.rotation.max_megabytes: must be > 0',
      'exporters.posthog.api_key: this is a personal API key (phx_); log ingestion takes the project token (phc_)',
      'service.telemetry.metrics.adress: unknown key (did you mean "address"?)',
      'service.pipelines.logs.procesors: unknown key (did you mean "processors"?)',
      'service.pipelines.logs.receivers[1]: "otlp/missing" is not configured under receivers',
      'service.pipelines.logs.exporters[0]: "fil" is not configured under exporters (did you mean "file"?)',
      'service.pipelines.traces: logsift handles logs only; traces pipelines are not supported',
    ];
    for (const e of expected) assert.ok(errors.includes(e), `missing: ${e}\ngot:\n${errors.join('\n')}`);
    assert.ok(errors.some((e) => e.startsWith('service.shutdown_timeout: must be a duration')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('service.telemetry.logs.level: must be one of')), errors.join('\n'));
    assert.equal(errors.length, expected.length + 2, errors.join('\n'));
  });

  it('structural errors: no pipelines, empty pipelines, bad ids, YAML syntax, not a mapping', () => {
    assert.deepEqual(errorsOf(load('receivers: {}\n')), ['service.pipelines: at least one logs pipeline is required (service.pipelines.logs)']);
    const empty = errorsOf(load('service:\n  pipelines:\n    logs/x: {}\n'));
    assert.deepEqual(empty, ['service.pipelines.logs/x.receivers: a pipeline needs at least one receiver', 'service.pipelines.logs/x.exporters: a pipeline needs at least one exporter']);
    assert.ok(errorsOf(load(MINIMAL.replace('debug:', '"bad id!":'))).includes('exporters.bad id!: a component id is type[/name], e.g. otlp or otlp/internal'));
    const syntax = errorsOf(load('receivers:\n  otlp: [unclosed\n'));
    assert.match(syntax[0]!, /^YAML: .*line \d+/s);
    assert.deepEqual(errorsOf(load('- just\n- a list\n')), ['the configuration must be a YAML mapping with receivers, exporters and service']);
  });

  it('several named pipelines may share receivers and exporters', () => {
    const text = `
receivers:
  otlp: { protocols: { http: } }
  otlp/internal: { protocols: { grpc: { endpoint: 127.0.0.1:5317 } } }
exporters:
  debug:
  file/audit: { path: /tmp/audit.jsonl }
service:
  pipelines:
    logs: { receivers: [otlp, otlp/internal], exporters: [debug] }
    logs/audit: { receivers: [otlp], exporters: [file/audit, debug] }
`;
    const result = load(text);
    assert.ok(result.kind === 'loaded', JSON.stringify(result));
    assert.deepEqual(result.config.pipelines.map((p) => p.id), ['logs', 'logs/audit']);
  });
});
