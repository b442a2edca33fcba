// The pattern vectors every SDK is held to (issue 19): streams of log bodies, each with the pattern id and
// template the daemon's miner gives it at the moment it arrives (a pattern's id changes when its template
// generalises: an SDK must follow the same steps). Written from the daemon's own miner with its default
// settings; test/sdk/pattern_vectors.test.ts fails when the daemon drifts from them, each SDK's tests when
// it does. Sources are our own generators only (no third-party log data is copied into the repo): the
// benchmarks' service logs (bench/realistic_batch.ts) and the demo's traffic of three services, incidents
// included (cmd/demo_traffic.ts), interleaved as they would arrive; then bodies made to reach every path of the
// miner and its masking (tricky_bodies.ts).
// The same stream through a miner holding only EVICTING_CAP patterns a service gives patterns_evicting.jsonl:
// least-recently-used eviction, and a body of an evicted pattern mined afresh, step by step alike.
// Run: node --import tsx sdk/vectors/patterns.ts  (rewrites sdk/vectors/patterns.jsonl and patterns_evicting.jsonl)
import { writeFileSync } from 'node:fs';
import { realisticRequest } from '../../bench/realistic_batch.js';
import { DemoTraffic } from '../../cmd/demo_traffic.js';
import { defaultSignatureConfig, minerFromConfig } from '../../processors/signature/factory.js';
import { bodySignature } from '../../processors/signature/structured_body.js';
import { trickyBodies } from './tricky_bodies.js';

/** The records in the order they arrive: service and body. */
function stream(): Array<{ service: string; body: string }> {
  const records: Array<{ service: string; body: string }> = [];
  for (let seed = 0; seed < 6; seed++) {
    for (const r of realisticRequest(100, seed).resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords ?? []) records.push({ service: 'shop', body: String(r.body?.stringValue ?? '') });
  }
  // Demo ticks of a second, over three incident cycles (a spike, a new error pattern), thinned to one record in ten.
  const demo = new DemoTraffic(20_000, 5_000, 7);
  for (let elapsed = 0; elapsed < 60_000; elapsed += 1_000) {
    demo.next(elapsed).records.forEach((r, i) => {
      if (i % 10 === 0) records.push({ service: r.service, body: r.body });
    });
  }
  // Then bodies written to reach every path of the miner and its masking (tricky_bodies.ts), two services of them.
  records.push(...trickyBodies(1500, 19));
  return records;
}

/** Patterns a service the evicting vectors' miner holds (the least `max_patterns_per_service` allows is 10). */
export const EVICTING_CAP = 10;

/** The vectors; with `maxPatterns`, each line says it (`max_patterns`) so an SDK builds its miner alike. */
export function vectorLines(maxPatterns?: number): string[] {
  const miner = minerFromConfig({ ...defaultSignatureConfig(), ...(maxPatterns ? { max_patterns_per_service: maxPatterns } : {}) });
  return stream().map(({ service, body }) => {
    // What the signature processor hands the miner: a JSON body is signed by its message and keys.
    const pattern = miner.add(service, bodySignature(body, () => body));
    return JSON.stringify({ service, body, id: pattern.id, template: pattern.template, ...(maxPatterns ? { max_patterns: maxPatterns } : {}) });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = vectorLines();
  writeFileSync(new URL('patterns.jsonl', import.meta.url), `${lines.join('\n')}\n`);
  const evicting = vectorLines(EVICTING_CAP);
  writeFileSync(new URL('patterns_evicting.jsonl', import.meta.url), `${evicting.join('\n')}\n`);
  console.log(`${lines.length} vectors written to sdk/vectors/patterns.jsonl and patterns_evicting.jsonl`);
}
