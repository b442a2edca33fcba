// A silence outlives a restart: set through the API, it is in the store, and the daemon started again on the
// same data dir holds it (active, and ended early once someone ends it).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startDaemon, OTLP_RECEIVER, type TestDaemon } from '../support/daemon.js';

describe('alert silences across a restart', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-silences-'));
  const config = `${OTLP_RECEIVER}processors:
  signature: {}
  ratestats: {}
  anomaly: {}
exporters:
  nop: {}
extensions:
  alerts: {}
service:
  data_dir: "${dir}"
  extensions: [alerts]
  telemetry: { metrics: { address: "{{TELEMETRY}}" } }
  pipelines:
    logs: { receivers: [otlp], processors: [signature, ratestats, anomaly], exporters: [nop] }
`;
  let daemon: TestDaemon | undefined;
  after(async () => {
    await daemon?.daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const silences = async () => ((await (await fetch(`http://127.0.0.1:${daemon!.telemetryPort}/api/v1/alerts/silences`)).json()) as { silences: Array<{ id: string; matchers: unknown; state: string; comment: string }> }).silences;

  it('holds a silence set before the restart, and one ended stays ended', async () => {
    daemon = await startDaemon(config);
    const api = `http://127.0.0.1:${daemon.telemetryPort}/api/v1/alerts/silences`;
    const kept = (await (await fetch(api, { method: 'POST', body: JSON.stringify({ matchers: { service: 'checkout' }, duration: '4h', created_by: 'sre', comment: 'migration tonight' }) })).json()) as { id: string };
    const ended = (await (await fetch(api, { method: 'POST', body: JSON.stringify({ matchers: { kind: 'level_shift' }, duration: '4h', created_by: 'sre', comment: 'noisy' }) })).json()) as { id: string };
    assert.equal((await fetch(`${api}/${ended.id}`, { method: 'DELETE' })).status, 200);
    await daemon.daemon.stop();
    daemon = await startDaemon(config);
    const after = await silences();
    assert.deepEqual(after.map((s) => [s.id, s.state, s.comment]).sort(), [[kept.id, 'active', 'migration tonight'], [ended.id, 'expired', 'noisy']].sort());
  });
});
