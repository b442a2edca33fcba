// A log record read from protobuf without building what nobody asks for. Its scalar fields, ids and body are
// read in one pass over its bytes (as own properties, so it looks to protobufjs and to the rest of logsift
// like a record protobufjs decoded); its attributes stay in the bytes until someone asks for them: a lookup by
// key compares key bytes and decodes one value, an attribute the chain adds is kept beside the bytes, and
// only reading `attributes` as a list (a codec, a fallback) decodes them all. The record also keeps its
// bytes for the encoder (record_bytes.ts): a record goes out as the bytes it came in as plus what was added.
import protobuf from 'protobufjs';
import type { PbAnyValue, PbKeyValue, PbLogRecord } from './otlp.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireReader, utf8 } from './wire.js';

/** What a record read lazily keeps beside its fields. */
export interface RecordBytes {
  /** The record's bytes as received: a view into the request, until it is detached or compacted. */
  raw: Uint8Array | undefined;
  /** Where its attributes lie within the request's buffer (the span from the first to the last). */
  buf: Buffer;
  attrFrom: number;
  attrTo: number;
  /** How many attributes it arrived with. */
  rawCount: number;
  /** Attributes added since, while the list was not built. */
  added: PbKeyValue[];
  /** The whole list, once someone asked for it: from then on the list is the truth. */
  list: PbKeyValue[] | undefined;
  /** An attribute it arrived with was changed: its bytes no longer say what it is. */
  edited: boolean;
  /** Its attributes' key spans, once one was looked up (keySpans). */
  keys?: number[] | undefined;
}

const STATE = Symbol('logsift.record.bytes');

interface Carrier {
  [STATE]?: RecordBytes;
}

export function recordBytes(record: PbLogRecord): RecordBytes | undefined {
  return (record as Carrier)[STATE];
}

/** The types this needs from the loaded .proto files (given by otlp.ts, which loads them). */
export interface LazyTypes {
  logRecord: protobuf.Type;
  keyValue: protobuf.Type;
  anyValue: protobuf.Type;
  long: (low: number, high: number) => unknown;
}

let types: LazyTypes | undefined;
let recordPrototype: object | undefined;

/** Called once by otlp.ts: the record prototype is protobufjs's LogRecord's, with `attributes` read lazily. */
export function useTypes(loaded: LazyTypes): void {
  types = loaded;
  recordPrototype = Object.create(loaded.logRecord.ctor.prototype as object, {
    attributes: {
      get(this: PbLogRecord) {
        return attributeList(this);
      },
      set(this: PbLogRecord, list: PbKeyValue[]) {
        const state = recordBytes(this)!;
        state.list = list;
        state.edited = true;
      },
    },
  }) as object;
}

/** Every attribute, built once (the added ones after those it arrived with). */
function attributeList(record: PbLogRecord): PbKeyValue[] {
  const state = recordBytes(record)!;
  if (state.list) return state.list;
  const list: PbKeyValue[] = [];
  if (state.rawCount > 0) {
    const r = new WireReader(state.buf, state.attrFrom, state.attrTo);
    while (r.pos < r.end) {
      const key = r.varint();
      if (key >>> 3 === 6 && (key & 7) === WIRE_LEN) {
        const start = r.span();
        list.push(types!.keyValue.decode(state.buf.subarray(start, r.pos)) as unknown as PbKeyValue);
      } else {
        r.skip(key & 7);
      }
    }
  }
  list.push(...state.added);
  state.added = [];
  state.list = list;
  return list;
}

/** The value of an attribute by key, or undefined; the list is not built. `found` says whether the key is there. */
export function lazyAttribute(record: PbLogRecord, key: string): { found: boolean; value: PbAnyValue | null | undefined } {
  const state = recordBytes(record)!;
  if (state.list) {
    for (const kv of state.list) if (kv.key === key) return { found: true, value: kv.value };
    return NOT_FOUND;
  }
  for (const kv of state.added) if (kv.key === key) return { found: true, value: kv.value };
  if (state.rawCount === 0) return NOT_FOUND;
  const spans = (state.keys ??= keySpans(state));
  const wanted = keyBytes(key);
  const buf = state.buf;
  for (let i = 0; i < spans.length; i += 3) {
    const from = spans[i]!;
    if (spans[i + 1]! - from !== wanted.length) continue;
    let same = true;
    for (let k = 0; k < wanted.length; k++) {
      if (buf[from + k] !== wanted[k]) {
        same = false;
        break;
      }
    }
    if (!same) continue;
    const valueAt = spans[i + 2]!;
    if (valueAt < 0) return { found: true, value: null };
    const v = new WireReader(buf, valueAt, buf.length);
    const start = v.span();
    return { found: true, value: types!.anyValue.decode(buf.subarray(start, v.pos)) as unknown as PbAnyValue };
  }
  return NOT_FOUND;
}

const NOT_FOUND = Object.freeze({ found: false, value: undefined });

/**
 * Where each attribute's key lies and where its value starts (the value's tag; −1 when it has none), found
 * by one walk over the record's attributes the first time one is looked up: three numbers an attribute.
 */
function keySpans(state: RecordBytes): number[] {
  const spans: number[] = [];
  const buf = state.buf;
  const r = new WireReader(buf, state.attrFrom, state.attrTo);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >>> 3 !== 6 || (tag & 7) !== WIRE_LEN) {
      r.skip(tag & 7);
      continue;
    }
    const kvStart = r.span();
    const kv = new WireReader(buf, kvStart, r.pos);
    let keyFrom = -1;
    let keyTo = -1;
    let valueAt = -1;
    while (kv.pos < kv.end) {
      const field = kv.varint();
      if (field >>> 3 === 1 && (field & 7) === WIRE_LEN) {
        keyFrom = kv.span();
        keyTo = kv.pos;
      } else if (field >>> 3 === 2 && (field & 7) === WIRE_LEN) {
        valueAt = kv.pos;
        kv.span();
      } else {
        kv.skip(field & 7);
      }
    }
    // A KeyValue without a key has the empty key.
    if (keyFrom < 0) keyFrom = keyTo = kvStart;
    spans.push(keyFrom, keyTo, valueAt);
  }
  return spans;
}

/** Adds an attribute the record did not have (the caller checked): kept beside the bytes until a list is built. */
export function addLazyAttribute(record: PbLogRecord, kv: PbKeyValue): void {
  const state = recordBytes(record)!;
  if (state.list) state.list.push(kv);
  else state.added.push(kv);
}

// The chain looks up a handful of keys, millions of times: their bytes are made once.
const KEY_BYTES = new Map<string, Buffer>();
function keyBytes(key: string): Buffer {
  let bytes = KEY_BYTES.get(key);
  if (!bytes) {
    bytes = Buffer.from(key, 'utf8');
    if (KEY_BYTES.size < 1024) KEY_BYTES.set(key, bytes);
  }
  return bytes;
}

/** Reads the record in [start, end) of `buf`: its fields now, its attributes when asked. */
export function readRecord(buf: Buffer, start: number, end: number): PbLogRecord {
  const record = Object.create(recordPrototype!) as PbLogRecord & Carrier & Record<string, unknown>;
  const state: RecordBytes = { raw: buf.subarray(start, end), buf, attrFrom: 0, attrTo: 0, rawCount: 0, added: [], list: undefined, edited: false };
  record[STATE] = state;
  const r = new WireReader(buf, start, end);
  while (r.pos < end) {
    const fieldAt = r.pos;
    const tag = r.varint();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== WIRE_FIXED64) break;
        record.timeUnixNano = long(r.fixed64()) as PbLogRecord['timeUnixNano'];
        continue;
      case 11:
        if (wire !== WIRE_FIXED64) break;
        record.observedTimeUnixNano = long(r.fixed64()) as PbLogRecord['observedTimeUnixNano'];
        continue;
      case 2:
        if (wire !== WIRE_VARINT) break;
        record.severityNumber = r.varint() | 0;
        continue;
      case 3:
        if (wire !== WIRE_LEN) break;
        record.severityText = r.string();
        continue;
      case 5: {
        if (wire !== WIRE_LEN) break;
        const from = r.span();
        record.body = readAnyValue(buf, from, r.pos);
        continue;
      }
      case 6: {
        if (wire !== WIRE_LEN) break;
        r.span();
        if (state.rawCount === 0) state.attrFrom = fieldAt;
        state.attrTo = r.pos;
        state.rawCount += 1;
        continue;
      }
      case 7:
        if (wire !== WIRE_VARINT) break;
        record.droppedAttributesCount = r.varint();
        continue;
      case 8:
        if (wire !== WIRE_FIXED32) break;
        record.flags = r.fixed32();
        continue;
      case 9: {
        if (wire !== WIRE_LEN) break;
        const from = r.span();
        record.traceId = buf.subarray(from, r.pos);
        continue;
      }
      case 10: {
        if (wire !== WIRE_LEN) break;
        const from = r.span();
        record.spanId = buf.subarray(from, r.pos);
        continue;
      }
      case 12:
        if (wire !== WIRE_LEN) break;
        record.eventName = r.string();
        continue;
    }
    // A field we do not know (or of a wire type its number does not have): it travels in the bytes.
    r.skip(wire);
  }
  return record;
}

function long(bits: { low: number; high: number }): unknown {
  return types!.long(bits.low, bits.high);
}

/** A body: a string (nearly always) read here, anything else by protobufjs. */
function readAnyValue(buf: Buffer, start: number, end: number): PbAnyValue {
  if (end > start && buf[start] === 0x0a) {
    const r = new WireReader(buf, start + 1, end);
    const from = r.span();
    if (r.pos === end) return { stringValue: utf8(buf, from, r.pos) };
  }
  return types!.anyValue.decode(buf.subarray(start, end)) as unknown as PbAnyValue;
}
