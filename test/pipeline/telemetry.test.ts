// The process's own gauges (memory, CPU, event-loop delay, GC) belong to the daemon's telemetry alone:
// collecting them installs observers for the life of the process, and the short-lived telemetry a replay
// makes (two for every tuner round and every policy POST) collected them too — 10,000 POSTs held ~3.8 GB
// and slowed every answer (bench:control). A replay's telemetry must collect none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Telemetry } from '../../pipeline/telemetry.js';
import { startDaemon, FILE_PIPELINE } from '../support/daemon.js';

describe('telemetry', () => {
  it('collects the process gauges only where asked (the daemon), never for a short-lived registry', async () => {
    const processGauges = async (telemetry: Telemetry) => (await telemetry.registry.getMetricsAsJSON()).filter((m) => m.name.startsWith('logsift_process_')).length;
    assert.equal(await processGauges(new Telemetry()), 0);
    assert.ok((await processGauges(new Telemetry({ processMetrics: true }))) > 5);
    const d = await startDaemon(FILE_PIPELINE);
    try {
      const metrics = await (await fetch(`http://127.0.0.1:${d.telemetryPort}/metrics`)).text();
      assert.match(metrics, /^logsift_process_process_resident_memory_bytes \d+/m);
    } finally {
      await d.stop();
    }
  });
});
