// Keys and names logsift shares with the OpenTelemetry Collector mean what they mean there: a Collector
// user's config must not change meaning on the way over. One case per shared key whose meaning we match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../../cmd/components.js';
import { parseConfigText, type LoadResult } from '../../pipeline/load_config.js';
import { helperSettings, type HelperConfig } from '../../exporters/helper/config.js';

const registry = builtinRegistry();
const load = (text: string): LoadResult => parseConfigText(text, registry, {});

const withExporters = (exporters: string, names: string) => `
receivers:
  otlp:
    protocols:
      http:
processors:
  batch:
exporters:
${exporters}
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [${names}]
`;

function accepted(result: LoadResult) {
  assert.ok(result.kind === 'loaded', JSON.stringify(result));
  return result.config;
}

describe('Collector semantics', () => {
  it('exporters `otlp` and `otlphttp` are the Collector\'s names for OTLP over gRPC and HTTP', () => {
    const config = accepted(
      load(
        withExporters(
          `  otlp:
    endpoint: 127.0.0.1:4317
  otlphttp:
    endpoint: http://127.0.0.1:4318
  otlphttp/backup:
    endpoint: http://127.0.0.1:4319`,
          'otlp, otlphttp, otlphttp/backup',
        ),
      ),
    );
    assert.equal(config.exporters.get('otlp')!.type, 'otlp_grpc');
    assert.equal(config.exporters.get('otlphttp')!.type, 'otlp_http');
    assert.equal(config.exporters.get('otlphttp/backup')!.type, 'otlp_http');
    assert.equal((config.exporters.get('otlphttp/backup')!.config as { endpoint: string }).endpoint, 'http://127.0.0.1:4319');
  });

  it('the registry lists canonical types only: an unknown type is told the real names', () => {
    const result = load(withExporters('  otlphtp:\n    endpoint: http://127.0.0.1:4318', 'otlphtp'));
    assert.equal(result.kind, 'invalid');
    const errors = (result as { errors: string[] }).errors.join('\n');
    assert.match(errors, /unknown exporter type "otlphtp"/);
    assert.match(errors, /known: .*otlp_http/);
    assert.doesNotMatch(errors, /known: [^\n]*otlphttp/);
  });

  for (const spelling of ['0', '0s']) {
    it(`retry_on_failure.max_elapsed_time: ${spelling} retries for ever (the Collector's "no limit"), not never`, () => {
      const config = accepted(load(withExporters(`  otlphttp:\n    endpoint: http://127.0.0.1:4318\n    retry_on_failure: { max_elapsed_time: ${spelling} }`, 'otlphttp')));
      const settings = helperSettings(config.exporters.get('otlphttp')!.config as HelperConfig);
      assert.equal(settings.retry.maxElapsedMs, Number.POSITIVE_INFINITY);
      assert.ok(settings.retry.enabled);
    });
  }

  it('a finite max_elapsed_time is a limit', () => {
    const config = accepted(load(withExporters('  otlphttp:\n    endpoint: http://127.0.0.1:4318\n    retry_on_failure: { max_elapsed_time: 10m }', 'otlphttp')));
    assert.equal(helperSettings(config.exporters.get('otlphttp')!.config as HelperConfig).retry.maxElapsedMs, 600_000);
  });

  it('a bare number as a duration is refused by name, with its unit asked for (0 alone is allowed)', () => {
    const result = load(withExporters('  debug:', 'debug').replace('  batch:\n', '  batch:\n    timeout: 200\n'));
    assert.equal(result.kind, 'invalid');
    assert.deepEqual((result as { errors: string[] }).errors, ['processors.batch.timeout: must be a duration such as 500ms, 30s or 5m, with its unit (a bare 200 would be nanoseconds in the Collector)']);
  });
});
