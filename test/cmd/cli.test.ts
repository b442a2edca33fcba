// The command line as a user runs it: validate's exit codes, version, help.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, startCli } from '../support/cli.js';
import { writeConfigFile } from '../support/config_file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-cli-'));
const examples = fileURLToPath(new URL('../../config/examples/', import.meta.url));

describe('logsift CLI', () => {
  it('validate exits 0 for a valid file', async () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(file, 'receivers:\n  otlp: { protocols: { http: } }\nexporters:\n  debug:\nservice:\n  pipelines:\n    logs: { receivers: [otlp], exporters: [debug] }\n');
    const result = await runCli(['validate', '--config', file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /is valid \(pipelines: logs\)/);
  });

  it('validate exits 1 and prints every error with its path', async () => {
    const file = fileURLToPath(new URL('../support/fixtures/every_error.yaml', import.meta.url));
    const result = await runCli(['validate', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /LOGSIFT_ERR_CONFIG_INVALID: .* has 15 error\(s\)/);
    assert.match(result.stderr, /receivers\.otlp\.protocols\.grpc\.endpont: unknown key \(did you mean "endpoint"\?\)/);
    assert.match(result.stderr, /service\.pipelines\.traces: logsift handles logs only/);
  });

  it('validate exits 1 for a file that cannot be read', async () => {
    const result = await runCli(['validate', '--config', path.join(dir, 'missing.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^LOGSIFT_ERR_CONFIG_READ: .*\n  cannot read .*missing\.yaml/);
  });

  it('the shipped example configs validate', async () => {
    for (const example of ['sidecar.yaml', 'sidecar_fleet.yaml', 'gateway.yaml']) {
      const result = await runCli(['validate', '--config', path.join(examples, example)], { POSTHOG_PROJECT_TOKEN: 'phc_example' });
      assert.equal(result.code, 0, `${example}: ${result.stderr}`);
    }
  });

  it('run exits 1 with LOGSIFT_ERR_START when a port is taken, releasing what it had bound', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const file = path.join(dir, 'taken.yaml');
    writeFileSync(file, `receivers:\n  otlp: { protocols: { http: { endpoint: 127.0.0.1:${taken} } } }\nexporters:\n  nop:\nservice:\n  telemetry: { metrics: { address: 127.0.0.1:0 } }\n  pipelines:\n    logs: { receivers: [otlp], exporters: [nop] }\n`);
    const result = await runCli(['run', '--config', file]);
    blocker.close();
    assert.equal(result.code, 1);
    assert.match(result.stderr, /"code":"LOGSIFT_ERR_START"/);
    assert.match(result.stderr, /EADDRINUSE/);
  });

  it('version prints the package version; --help works on every command', async () => {
    const version = await runCli(['version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^logsift \d+\.\d+\.\d+ \(node v20/);
    for (const command of [[], ['run'], ['validate'], ['version']]) {
      const help = await runCli([...command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Usage: logsift/);
    }
  });

  it('its log lines name their writer logsift and keep `service` for the service a record came from', async () => {
    const { file } = await writeConfigFile({ exporters: '  nop:', pipeline: { exporters: ['nop'] } });
    const daemon = await startCli(['run', '--config', file]);
    daemon.child.kill('SIGTERM');
    assert.equal(await daemon.exited, 0);
    const lines = daemon.logs().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const running = lines.find((l) => l.msg === 'logsift is running')!;
    assert.equal(running.name, 'logsift');
    assert.ok(lines.every((l) => !('service' in l)), 'no line of the daemon itself claims a service');
  });
});
