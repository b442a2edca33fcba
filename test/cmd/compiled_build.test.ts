// The bin runs the compiled build (dist/, written by `npm run build`, which `npm ci` and `npm test` run):
// plain node, no TypeScript loader, with the files the daemon reads beside its modules — the embedded
// default config, the shipped prompts, the OTLP .proto definitions — copied in.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, runCli } from '../support/cli.js';

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

describe('the compiled build', () => {
  it('the bin loads dist/, not the TypeScript sources', () => {
    const bin = readFileSync(BIN, 'utf8');
    assert.match(bin, /\.\.\/dist\/cmd\/main\.js/);
    assert.doesNotMatch(bin, /tsx/);
    for (const file of ['cmd/main.js', 'config/default_config.yaml', 'config/prompts/system.md', 'config/prompts/user.md', 'proto/opentelemetry/proto/collector/logs/v1/logs_service.proto', 'proto/google/rpc/status.proto']) {
      assert.ok(existsSync(dist(file)), `dist/${file}`);
    }
  });

  it('runs without a TypeScript loader: version, and a config validated against the shipped schema', async () => {
    // NODE_OPTIONS cleared: nothing can have registered tsx for the child.
    const version = await runCli(['version'], { NODE_OPTIONS: '' });
    assert.equal(version.code, 0, version.stderr);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(version.stdout, `logsift ${pkg.version} (node ${process.version})\n`);
    const validate = await runCli(['validate', '--config', fileURLToPath(new URL('../../config/examples/sidecar.yaml', import.meta.url))], { NODE_OPTIONS: '', POSTHOG_PROJECT_TOKEN: 'phc_compiled' });
    assert.equal(validate.code, 0, validate.stderr);
  });
});
