// The zero-copy path: a record decoded from protobuf goes out again as the bytes it came in as, followed by
// the attributes the chain added — and means exactly what protobufjs's own encoding of it would mean, for
// every field and value kind; a replaced body or arrived attribute goes out in its old field's place; a record
// whose attributes were changed after its whole list was read, or one held past its request, is encoded
// field by field; records kept in a memory queue no longer depend on their request's buffer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Delivery } from '../../pipeline/ack.js';
import { LogBatch, detachHeld } from '../../pipeline/batch.js';
import { ExportLogsServiceRequest, LogRecordType, decodeExportRequest, encodeExportRequest, type PbExportRequest } from '../../proto/otlp.js';
import { compactBytes } from '../../proto/record_bytes.js';
import { MemoryStorage } from '../../exporters/helper/queue_storage.js';

const bytes = (hex: string) => Buffer.from(hex, 'hex');

/** A request with every field and value kind set somewhere, encoded by protobufjs as a client would send it. */
function clientRequest(): Buffer {
  const record = (i: number) => ({
    timeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
    observedTimeUnixNano: 1_700_000_000_500_000_000n,
    severityNumber: i % 2 ? 17 : 9,
    severityText: i % 2 ? 'ERROR' : 'INFO',
    body: i === 3 ? { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'structured ünïcode' } }, { key: 'n', value: { intValue: -5 } }] } } : { stringValue: `request ${i} took ${i * 7} ms — ok` },
    attributes: [
      { key: 'http.method', value: { stringValue: 'GET' } },
      { key: 'retries', value: { intValue: i } },
      { key: 'ratio', value: { doubleValue: i / 3 } },
      { key: 'cached', value: { boolValue: i % 2 === 0 } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
      { key: 'raw', value: { bytesValue: bytes('00ff10') } },
    ],
    droppedAttributesCount: i,
    flags: 1,
    traceId: bytes('0af7651916cd43dd8448eb211c80319c'),
    spanId: bytes('b7ad6b7169203331'),
    eventName: i === 2 ? 'checkout.done' : '',
  });
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }], droppedAttributesCount: 1 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
        scopeLogs: [
          { scope: { name: 'app', version: '1.2.3', attributes: [{ key: 'lib', value: { stringValue: 'x' } }] }, schemaUrl: 'https://example.com/s', logRecords: [0, 1, 2].map(record) },
          { scope: { name: 'other' }, logRecords: [3, 4].map(record) },
        ],
      },
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'auth' } }] }, scopeLogs: [{ logRecords: [5, 6].map(record) }] },
    ],
  };
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish());
}

const plain = (encoded: Uint8Array) => ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(encoded), { longs: String, bytes: String, defaults: false });

/** What the chain does: tags every record, keeps some, marks the kept. */
function throughChain(wire: Buffer, edit?: (i: number) => boolean): LogBatch {
  const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
  let i = 0;
  for (const group of batch.groups()) for (const r of group.records) r.attributes.set('logsift.pattern.id', `p${i++ % 3}`);
  i = 0;
  return batch.filter((r) => {
    const n = i++;
    if (n % 3 === 1) return false;
    r.attributes.set('logsift.sample_rate', n === 0 ? 1 : 12.5);
    r.attributes.set('logsift.sample_count', 40_000 + n);
    r.attributes.set('logsift.sample_reason', n === 4 ? 'sampled — ünïcode' : 'sampled');
    // Every kind and size of value an added attribute can have, on the ends of the varint ranges.
    const edges = [0, 127, 128, 2 ** 28 - 1, 2 ** 28, 2 ** 35 - 1, 2 ** 35, 2 ** 49, Number.MAX_SAFE_INTEGER, -1, -(2 ** 40), true, false, 0.5, null, { nested: 'kv' }, ['a', 1]];
    edges.forEach((edge, k) => r.attributes.set(`edge${k}`, edge));
    if (edit?.(n)) r.attributes.set('retries', 99);
    return true;
  }, () => undefined);
}

describe('the zero-copy record path', () => {
  it('a kept record goes out as its bytes plus the added attributes, meaning what protobufjs would write', () => {
    const wire = clientRequest();
    const kept = throughChain(wire);
    const request = kept.toExportRequest();
    const reused = encodeExportRequest(request);
    const fieldByField = ExportLogsServiceRequest.encode(request as never).finish();
    assert.deepEqual(plain(reused), plain(fieldByField));
    // The record bytes as the client sent them are in the output, verbatim (protobufjs writes attributes in
    // field order, before the body: it would not contain them).
    const original = ExportLogsServiceRequest.decode(wire) as unknown as PbExportRequest;
    const first = LogRecordType.encode(original.resourceLogs![0]!.scopeLogs![0]!.logRecords![0]! as never).finish();
    assert.ok(Buffer.from(reused).includes(Buffer.from(first)), 'the first record travels as it came');
    assert.ok(!Buffer.from(fieldByField).includes(Buffer.from(first)));
    // And what a parser reads is the whole record: six attributes sent, four and seventeen added.
    const decoded = decodeExportRequest(reused);
    assert.equal(decoded.resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!.attributes!.length, 27);
  });

  it('a record whose arrived attribute was changed says the new value, never doubled', () => {
    const wire = clientRequest();
    const kept = throughChain(wire, (n) => n === 2);
    const reused = encodeExportRequest(kept.toExportRequest());
    assert.deepEqual(plain(reused), plain(ExportLogsServiceRequest.encode(kept.toExportRequest() as never).finish()));
    const records = decodeExportRequest(reused).resourceLogs![0]!.scopeLogs!.flatMap((sl) => sl.logRecords ?? []);
    const retries = records.map((r) => r.attributes!.filter((kv) => kv.key === 'retries').map((kv) => Number(kv.value!.intValue)));
    // Records 0 and 2 of the first resource are kept (1 is dropped); 2's value was replaced, never doubled.
    assert.deepEqual(retries.slice(0, 2), [[0], [99]]);
  });

  it('dropped records held for later let go of the request; kept ones in a memory queue copy theirs out', () => {
    const wire = clientRequest();
    const held: unknown[] = [];
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const kept = batch.filter((_r, g) => g.resource.serviceName === 'auth', (h) => (detachHeld(h), held.push(h)));
    // The held ones are encoded field by field: correct though the request's buffer is overwritten.
    const heldBatch = LogBatch.fromHeld(held as never, new Delivery());
    const heldBefore = plain(encodeExportRequest(heldBatch.toExportRequest()));
    const records = kept.toExportRequest().resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!));
    compactBytes(records);
    const keptBefore = plain(encodeExportRequest(kept.toExportRequest()));
    wire.fill(0);
    assert.deepEqual(plain(encodeExportRequest(heldBatch.toExportRequest())), heldBefore);
    assert.deepEqual(plain(encodeExportRequest(kept.toExportRequest())), keptBefore);
    assert.equal(records.length, 2);
    // And their attributes, still unbuilt, are read from the copy.
    const views = [...kept.groups()].flatMap((g) => g.records);
    assert.deepEqual(views.map((v) => [v.attributes.get('http.method'), v.attributes.get('retries')]), [['GET', 5], ['GET', 6]]);
  });
});

describe('a record whose body was replaced (redaction)', () => {
  /** A length-delimited field, written by hand (for a record protobufjs would not write: its body twice). */
  const field = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag, content.length]), content]);

  it('goes out as its bytes with the new body in the old one\'s place, meaning what protobufjs would write, and its size says so', () => {
    const wire = clientRequest();
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const views = [...batch.groups()].flatMap((g) => g.records);
    views[0]!.setBody('request <ipv4> took 0 ms');
    views[3]!.setBody('was a map — ünïcode');
    views[4]!.setBody({ msg: 'now a map', n: 3 });
    views[5]!.setBody('x'.repeat(300));
    views[0]!.attributes.set('logsift.redacted', 'ipv4=1');
    // No first look at its arrived bytes is offered any more: they no longer say what its body is.
    assert.equal(views[5]!.arrived, undefined);
    assert.ok(views[1]!.arrived);
    const records = batch.toExportRequest().resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!));
    const reused = encodeExportRequest(batch.toExportRequest());
    assert.deepEqual(plain(reused), plain(ExportLogsServiceRequest.encode(batch.toExportRequest() as never).finish()));
    const bodies = decodeExportRequest(reused).resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!.map((r) => r.body)));
    assert.deepEqual(bodies[0], { stringValue: 'request <ipv4> took 0 ms' });
    assert.deepEqual(bodies[1], { stringValue: 'request 1 took 7 ms — ok' });
    assert.deepEqual(bodies[3], { stringValue: 'was a map — ünïcode' });
    assert.equal(bodies[5]!.stringValue, 'x'.repeat(300));
    // The size a backend is billed: the record as it goes out, byte for byte.
    views.forEach((view, i) => assert.equal(view.sentBytes, LogRecordType.encode(records[i] as never).finish().byteLength, `record ${i}`));
    // The rest of its bytes travel as they came: the client's record, the new body's field in the old one's place.
    const original = (ExportLogsServiceRequest.decode(wire) as unknown as PbExportRequest).resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!;
    const sent = Buffer.from(LogRecordType.encode(original as never).finish());
    const oldBody = Buffer.from(LogRecordType.encode({ body: original.body } as never).finish());
    const at = sent.indexOf(oldBody);
    const spliced = Buffer.concat([sent.subarray(0, at), LogRecordType.encode({ body: { stringValue: 'request <ipv4> took 0 ms' } } as never).finish(), sent.subarray(at + oldBody.length)]);
    assert.ok(at > 0 && Buffer.from(reused).includes(spliced));
    // Copied out of the request (a memory queue), it still goes out the same.
    const before = plain(encodeExportRequest(batch.toExportRequest()));
    compactBytes(records);
    wire.fill(0);
    assert.deepEqual(plain(encodeExportRequest(batch.toExportRequest())), before);
  });

  it('replaced again after it was measured, goes out with the last body, and its size says so', () => {
    const wire = clientRequest();
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const view = [...batch.groups()][0]!.records[0]!;
    view.setBody('first');
    const firstSize = view.sentBytes;
    view.setBody('the second, longer body');
    const record = batch.toExportRequest().resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!;
    assert.equal(view.sentBytes, LogRecordType.encode(record as never).finish().byteLength);
    assert.equal(view.sentBytes - firstSize, 'the second, longer body'.length - 'first'.length);
    const out = decodeExportRequest(encodeExportRequest(batch.toExportRequest()));
    assert.deepEqual(out.resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!.body, { stringValue: 'the second, longer body' });
  });

  it('gains a body where it had none; one that came in twice (merged) is written field by field', () => {
    const noBody = LogRecordType.encode({ severityNumber: 9, attributes: [{ key: 'k', value: { stringValue: 'v' } }] } as never).finish();
    const twice = Buffer.concat([LogRecordType.encode({ body: { stringValue: 'first' } } as never).finish(), LogRecordType.encode({ body: { stringValue: 'second' }, severityNumber: 17 } as never).finish()]);
    const wire = field(0x0a, field(0x12, Buffer.concat([field(0x12, Buffer.from(noBody)), field(0x12, twice)])));
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const views = [...batch.groups()].flatMap((g) => g.records);
    assert.equal(views[1]!.bodyText, 'second');
    views.forEach((v) => v.setBody('replaced'));
    const out = plain(encodeExportRequest(batch.toExportRequest()));
    const records = out.resourceLogs[0].scopeLogs[0].logRecords;
    assert.deepEqual(records.map((r: { body: unknown }) => r.body), [{ stringValue: 'replaced' }, { stringValue: 'replaced' }]);
    assert.equal(records[0].attributes[0].key, 'k');
    assert.equal(records[1].severityNumber, 17);
  });
});

describe('a record whose arrived attributes were replaced or removed (redaction)', () => {
  const sentRecords = (batch: LogBatch) => decodeExportRequest(encodeExportRequest(batch.toExportRequest())).resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!));
  const attributesOf = (record: { attributes?: Array<{ key: string; value?: unknown }> | null }) => (record.attributes ?? []).map((kv) => [kv.key, kv.value]);

  it('goes out as its bytes with each new field in the old one\'s place, meaning what protobufjs would write, sized exactly, read back as it stands', () => {
    const wire = clientRequest();
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const views = [...batch.groups()].flatMap((g) => g.records);
    views[0]!.attributes.set('http.method', '<redacted>');
    views[0]!.attributes.delete('ratio');
    views[0]!.attributes.set('logsift.redacted', 'key=2');
    views[1]!.attributes.set('tags', { now: 'a map' });
    views[2]!.replaceArrivedAttribute(5, 'raw', undefined);
    views[2]!.replaceArrivedAttribute(0, 'http.method', 'POST');
    views[2]!.setBody('replaced too');
    // Lookups say what it is now, without building the list; no first look at its bytes is offered.
    assert.equal(views[0]!.attributes.get('http.method'), '<redacted>');
    assert.equal(views[0]!.attributes.has('ratio'), false);
    assert.deepEqual(views[1]!.attributes.get('tags'), { now: 'a map' });
    assert.equal(views[0]!.arrived, undefined);
    const sizes = views.map((v) => v.sentBytes);
    const reused = encodeExportRequest(batch.toExportRequest());
    const sent = sentRecords(batch);
    assert.deepEqual(attributesOf(sent[0]!).map(([k]) => k), ['http.method', 'retries', 'cached', 'tags', 'raw', 'logsift.redacted']);
    const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    assert.deepEqual(json(sent[0]!.attributes![0]!.value), { stringValue: '<redacted>' });
    assert.deepEqual(json(sent[1]!.attributes![4]!.value), { kvlistValue: { values: [{ key: 'now', value: { stringValue: 'a map' } }] } });
    assert.deepEqual(attributesOf(sent[2]!).map(([k]) => k), ['http.method', 'retries', 'ratio', 'cached', 'tags']);
    assert.deepEqual(json(sent[2]!.attributes![0]!.value), { stringValue: 'POST' });
    assert.deepEqual(json(sent[2]!.body), { stringValue: 'replaced too' });
    // The rest of each record travels as it came: its trace id, times, other attributes.
    const original = (ExportLogsServiceRequest.decode(wire) as unknown as PbExportRequest).resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!;
    const retries = LogRecordType.encode({ attributes: [original.attributes![1]] } as never).finish();
    assert.ok(Buffer.from(encodeExportRequest(batch.toExportRequest())).includes(Buffer.from(retries)));
    // Sized as protobufjs would write each record as it stands (which reads, and so builds, its list).
    const records = batch.toExportRequest().resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!));
    records.forEach((record, i) => assert.equal(sizes[i], LogRecordType.encode(record as never).finish().byteLength, `record ${i}`));
    assert.deepEqual(plain(reused), plain(ExportLogsServiceRequest.encode(batch.toExportRequest() as never).finish()));
    // Once its whole list was read, the list is the truth: the same output, now field by field.
    assert.deepEqual(json(sentRecords(batch).map(attributesOf)), json(sent.map(attributesOf)));
  });

  it('copied out of its request (a memory queue) or held past it (the retro buffer), still goes out as it stands', () => {
    const wire = clientRequest();
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const held: unknown[] = [];
    let i = 0;
    const kept = batch.filter((r) => {
      r.attributes.set('http.method', `<m${i}>`);
      r.attributes.delete('retries');
      return i++ % 2 === 0;
    }, (h) => (detachHeld(h), held.push(h)));
    const records = kept.toExportRequest().resourceLogs!.flatMap((rl) => rl.scopeLogs!.flatMap((sl) => sl.logRecords!));
    compactBytes(records);
    const heldBatch = LogBatch.fromHeld(held as never, new Delivery());
    wire.fill(0);
    const methods = (b: LogBatch) => sentRecords(b).map((r) => [r.attributes!.find((kv) => kv.key === 'http.method')!.value!.stringValue, r.attributes!.some((kv) => kv.key === 'retries')]);
    assert.deepEqual(methods(kept), [['<m0>', false], ['<m2>', false], ['<m4>', false], ['<m6>', false]]);
    assert.deepEqual(methods(heldBatch), [['<m1>', false], ['<m3>', false], ['<m5>', false]]);
  });
});

describe('a memory queue and the requests its records came in', () => {
  it('what a memory queue holds no longer depends on the request it came in', () => {
    const wire = clientRequest();
    const kept = throughChain(wire);
    const storage = new MemoryStorage('otlp_http', () => {
      throw new Error('no store needed');
    });
    const batch = storage.append(kept.toExportRequest().resourceLogs!, kept.recordCount, kept.sizeBytes);
    const before = plain(storage.load([batch]).bytes);
    wire.fill(0);
    assert.deepEqual(plain(storage.load([batch]).bytes), before);
  });
});

describe('the request read by hand', () => {
  it('reads what protobufjs reads, every field and value kind', () => {
    const wire = clientRequest();
    const byHand = ExportLogsServiceRequest.toObject(decodeExportRequest(wire) as never, { longs: String, bytes: String, defaults: false });
    assert.deepEqual(byHand, plain(wire));
  });

  it('looks attributes up by key without building the rest, and adds beside them', () => {
    const wire = clientRequest();
    const batch = LogBatch.fromRequest(decodeExportRequest(wire), new Delivery(), wire.byteLength);
    const record = [...batch.groups()][0]!.records[1]!;
    assert.equal(record.attributes.get('http.method'), 'GET');
    assert.equal(record.attributes.get('retries'), 1);
    assert.equal(record.attributes.get('ratio'), 1 / 3);
    assert.equal(record.attributes.get('cached'), false);
    assert.deepEqual(record.attributes.get('tags'), ['a', 2]);
    assert.deepEqual([...(record.attributes.get('raw') as Uint8Array)], [0, 255, 16]);
    assert.equal(record.attributes.get('missing'), undefined);
    assert.equal(record.attributes.has('cached'), true);
    record.attributes.set('logsift.pattern.id', 'abc');
    assert.equal(record.attributes.get('logsift.pattern.id'), 'abc');
    record.attributes.set('logsift.pattern.id', 'def');
    assert.equal(record.attributes.size, 7, 'six sent, one added (set twice)');
    assert.equal(record.attributes.toObject()['logsift.pattern.id'], 'def');
  });

  it('on damaged requests, refuses at once or reads what protobufjs reads — a lookup never fails later', () => {
    const wire = clientRequest();
    let seed = 42;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      const damaged = Buffer.from(wire);
      for (let k = 0, flips = 1 + next(3); k < flips; k++) damaged[next(damaged.length)] = next(256);
      let theirs: unknown;
      try {
        theirs = plain(damaged);
      } catch {
        theirs = undefined;
      }
      let ours: PbExportRequest;
      try {
        ours = decodeExportRequest(damaged);
      } catch (error) {
        assert.ok(error instanceof Error, 'a clear error');
        refused += 1;
        continue;
      }
      // What was accepted can be read whole: every attribute built, the request encoded again.
      const whole = ExportLogsServiceRequest.toObject(ours as never, { longs: String, bytes: String, defaults: false });
      encodeExportRequest(ours);
      if (theirs !== undefined) assert.deepEqual(whole, theirs, `round ${round}: read as protobufjs reads it`);
    }
    assert.ok(refused > 100 && refused < 3000, `${refused} of 3000 refused`);
  });

  it('refuses what protobufjs refuses: a truncated request, a string that is not UTF-8', () => {
    const wire = clientRequest();
    assert.throws(() => decodeExportRequest(wire.subarray(0, wire.length - 3)), /out of range/);
    const bad = Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'ok XY' } }] }] }] })).finish());
    bad[bad.indexOf('XY')] = 0xff;
    assert.throws(() => decodeExportRequest(bad), /UTF-8/);
    assert.throws(() => ExportLogsServiceRequest.decode(bad));
  });
});
