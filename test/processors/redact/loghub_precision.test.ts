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
import { DEFAULT_BLOCKED_KEYS, defaultRedactConfig, redactorFromConfig } from '../../../processors/redact/factory.js';
import { RECOGNISERS } from '../../../processors/redact/recognisers.js';
import { JSON_TO_WALK, Redactor, type Counts } from '../../../processors/redact/redactor.js';
import { LogBatch } from '../../../pipeline/batch.js';
import { Delivery } from '../../../pipeline/ack.js';
import { decodeExportRequest, encodeExportRequest } from '../../../proto/otlp.js';
import { anyAttributeFlagged } from '../../support/redact_look.js';

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

  it('the first look skips nothing the full scan finds there, as text and in a record\'s bytes', () => {
    const redactor = (firstLook: boolean) => new Redactor({ recognisers: new Set(RECOGNISERS), actions: {}, defaultAction: 'mask', blockedKeys: DEFAULT_BLOCKED_KEYS, allowedKeys: undefined, ignoredKeys: new Set(), hashKey: undefined, firstLook });
    const withLook = redactor(true);
    const fullScan = redactor(false);
    let skipped = 0;
    for (const system of readdirSync(LOGHUB).sort()) {
      const file = readdirSync(path.join(LOGHUB, system)).find((f) => f.endsWith('.log'))!;
      const lines = readFileSync(path.join(LOGHUB, system, file), 'utf8').split('\n');
      for (const line of lines) assert.equal(withLook.text(line, new Map()), fullScan.text(line, new Map()), `${system}: ${line}`);
      const bytes = encodeExportRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: lines.map((line) => ({ body: { stringValue: line } })) }] }] } as never);
      const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
      for (const group of batch.groups()) {
        for (const record of group.records) {
          // What the look in its bytes finds possible is what the scan is asked for: the same answer.
          const inBody = withLook.arrivedBody(record, record.arrived!);
          const redacted = fullScan.text(record.bodyText, new Map());
          if (redacted !== record.bodyText) assert.notEqual(inBody, 0, `${system}, skipped in bytes: ${record.bodyText}`);
          assert.equal(withLook.text(record.bodyText, new Map(), 0, inBody & ~JSON_TO_WALK), redacted, `${system}, in bytes: ${record.bodyText}`);
          assert.equal(anyAttributeFlagged(withLook, record.arrived!), false);
          if (inBody === 0) skipped += 1;
        }
      }
    }
    // The rest hold real addresses (HDFS, OpenSSH: nearly every line) or look like them.
    assert.ok(skipped > 15_000, `most lines need no full scan (${skipped} of 24,000 skipped)`);
  });

  it('where addresses are kept (exclude: [ipv4, ipv6]), lines holding only addresses skip the scan too, and nothing else is skipped', () => {
    const keepingAddresses = (firstLook: boolean) => new Redactor({ recognisers: new Set(RECOGNISERS.filter((r) => r !== 'ipv4' && r !== 'ipv6')), actions: {}, defaultAction: 'mask', blockedKeys: DEFAULT_BLOCKED_KEYS, allowedKeys: undefined, ignoredKeys: new Set(), hashKey: undefined, firstLook });
    const withLook = keepingAddresses(true);
    const fullScan = keepingAddresses(false);
    const lines = readdirSync(LOGHUB).sort().flatMap((system) => readFileSync(path.join(LOGHUB, system, `${system}_2k.log`), 'utf8').split('\n'));
    const bytes = encodeExportRequest({ resourceLogs: [{ scopeLogs: [{ logRecords: lines.map((line) => ({ body: { stringValue: line } })) }] }] } as never);
    const batch = LogBatch.fromRequest(decodeExportRequest(bytes), new Delivery(), bytes.length);
    let skipped = 0;
    for (const group of batch.groups()) {
      for (const record of group.records) {
        const inBody = withLook.arrivedBody(record, record.arrived!);
        const redacted = fullScan.text(record.bodyText, new Map());
        assert.equal(withLook.text(record.bodyText, new Map()), redacted, record.bodyText);
        assert.equal(withLook.text(record.bodyText, new Map(), 0, inBody & ~JSON_TO_WALK), redacted, record.bodyText);
        if (redacted !== record.bodyText) assert.notEqual(inBody, 0, `skipped in bytes: ${record.bodyText}`);
        if (inBody === 0) skipped += 1;
      }
    }
    assert.ok(skipped > 19_000, `lines holding only addresses skip (${skipped} of 24,000 skipped)`);
  });
});
