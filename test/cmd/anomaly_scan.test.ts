// `logsift anomaly scan --csv`: detections on a series with a spike and a silence; bad input is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-scan-'));

describe('logsift anomaly scan', () => {
  it('prints one JSON object per detection with timestamp, score and kind', async () => {
    const lines = ['timestamp,count'];
    let seed = 5;
    for (let i = 0; i < 80; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const value = i >= 60 ? 0 : i === 40 ? 400 : 44 + (seed % 13);
      lines.push(`t${i},${value}`);
    }
    const file = path.join(dir, 'series.csv');
    writeFileSync(file, lines.join('\n'));
    const result = await runCli(['anomaly', 'scan', '--csv', file]);
    assert.equal(result.code, 0, result.stderr);
    const detections = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { timestamp: string; score: number; kind: string });
    assert.deepEqual(detections[0], { ...detections[0], timestamp: 't40', kind: 'spike' });
    assert.ok(detections[0]!.score > 50);
    const later = detections.slice(1);
    assert.ok(later.every((d) => Number(d.timestamp.slice(1)) >= 60), `nothing flagged before the silence: ${result.stdout}`);
    assert.ok(later.some((d) => d.kind === 'silence' && d.timestamp === 't62'), 'silent after three empty intervals');
  });

  it('refuses a malformed series, saying which line', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'timestamp,count\nt0,5\nt1,lots\n');
    const result = await runCli(['anomaly', 'scan', '--csv', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /line 3: expected timestamp,value/);
  });
});
