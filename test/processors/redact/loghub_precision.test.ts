// The redactor on logs it was not written for: the twelve shared Loghub-2k systems (../shared/data). What it
// finds there is real (addresses in HDFS, OpenSSH, Zookeeper…, MACs in Thunderbird, a build host's email in
// Linux) or one object reference after "token:" in Android; version strings (Windows' "~~6.1.1.0"), clock
// offsets ("+0.182379"), "::" and "token=Token{…}" are not redacted. Counted exactly, so any change in what
// it finds on real logs is looked at.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultRedactConfig, redactorFromConfig } from '../../../processors/redact/factory.js';
import type { Counts } from '../../../processors/redact/redactor.js';

const LOGHUB = fileURLToPath(new URL('../../../../shared/data/loghub-2k', import.meta.url));

describe('redact on the Loghub-2k systems', () => {
  it('finds what is there and nothing more', () => {
    const redactor = redactorFromConfig(defaultRedactConfig());
    const found: Record<string, Record<string, number>> = {};
    for (const system of readdirSync(LOGHUB).sort()) {
      const file = readdirSync(path.join(LOGHUB, system)).find((f) => f.endsWith('.log'))!;
      const counts: Counts = new Map();
      for (const line of readFileSync(path.join(LOGHUB, system, file), 'utf8').split('\n')) redactor.text(line, counts);
      found[system] = Object.fromEntries([...counts].sort());
    }
    assert.deepEqual(found, {
      Android: { password: 1 },
      Apache: { ipv4: 32 },
      BGL: { ipv4: 36 },
      HDFS: { ipv4: 1587 },
      HPC: { ipv4: 93 },
      Hadoop: { ipv4: 497 },
      Linux: { email: 1, ipv4: 1291 },
      OpenSSH: { ipv4: 1734 },
      Spark: { ipv4: 76 },
      Thunderbird: { ipv4: 639, mac: 40 },
      Windows: {},
      Zookeeper: { ipv4: 1413 },
    });
  });
});
