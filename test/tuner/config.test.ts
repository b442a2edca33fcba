// The tuner extension's config as the daemon loads it: defaults valid, every problem reported with its path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../../cmd/components.js';
import { parseConfigText } from '../../pipeline/load_config.js';

function load(tuner: string) {
  return parseConfigText(
    `receivers:
  otlp: { protocols: { http: } }
exporters:
  nop:
extensions:
  tuner:
${tuner}
service:
  extensions: [tuner]
  pipelines:
    logs: { receivers: [otlp], exporters: [nop] }
`,
    builtinRegistry(),
    {},
  );
}

describe('tuner config', () => {
  it('takes the defaults (rules, every 5 minutes)', () => {
    const loaded = load('    provider: rules');
    assert.ok(loaded.kind === 'loaded', loaded.kind === 'loaded' ? '' : loaded.errors.join('\n'));
  });

  it('reports every problem with its path', () => {
    const loaded = load(`    provider: openai
    interval: soon
    target: { keep_fraction: 2 }
    guard: { max_step: 0.5 }
    openai: { base_url: "http://llm.internal:8000", modle: x }`);
    assert.ok(loaded.kind === 'invalid');
    const errors = loaded.errors.join('\n');
    assert.match(errors, /extensions\.tuner\.interval: must be a duration/);
    assert.match(errors, /extensions\.tuner\.target\.keep_fraction/);
    assert.match(errors, /extensions\.tuner\.guard\.max_step/);
    assert.match(errors, /extensions\.tuner\.openai\.modle: unknown key \(did you mean "model"\?\)/);
  });

  it('needs an API key for openai and anthropic, and a /v1 base URL for openai', () => {
    const openai = load('    provider: openai\n    openai: { base_url: "http://llm.internal:8000" }');
    assert.ok(openai.kind === 'invalid');
    assert.match(openai.errors.join('\n'), /openai\.api_key: is required for provider openai/);
    assert.match(openai.errors.join('\n'), /openai\.base_url: must end in \/v1/);
    const anthropic = load('    provider: anthropic');
    assert.ok(anthropic.kind === 'invalid');
    assert.match(anthropic.errors.join('\n'), /anthropic\.api_key: is required for provider anthropic/);
    assert.ok(load('    provider: ollama\n    ollama: { host: "http://gpu-box:11434", model: qwen2.5 }').kind === 'loaded');
  });
});
