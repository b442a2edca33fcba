// A log record read from protobuf without building what nobody asks for. Its scalar fields, ids and body are
// read in one pass over its bytes (as own properties, so it looks to protobufjs and to the rest of logsift
// like a record protobufjs decoded); its attributes stay in the bytes until someone asks for them: a lookup by
// key compares key bytes and decodes one value, an attribute the chain adds is kept beside the bytes, and
// only reading `attributes` as a list (a codec, a fallback) decodes them all. The record also keeps its
// bytes for the encoder (record_bytes.ts): a record goes out as the bytes it came in as plus what was added.
import protobuf from 'protobufjs';
import type { PbAnyValue, PbKeyValue, PbLogRecord } from './otlp.js';
import { KEY_VALUE_DEPTH, checkKeyValue } from './attribute_check.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, position, readFixed32, readSpan, readTag, readVarint, seek, skipField, utf8 } from './wire.js';

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
  /** An attribute it arrived with was changed while the list was built: its bytes no longer say what it is. */
  edited: boolean;
  /**
   * Attributes it arrived with that were replaced (by their place among them; null: removed) while the list
   * was not built: they go out in their old fields' places (record_bytes.ts), the rest of its bytes as they came.
   */
  replaced: Map<number, PbKeyValue | null> | undefined;
  /**
   * Where each attribute's key lies and where its value starts (the value's tag; −1 when it has none): three
   * numbers an attribute, found while its attributes are checked (checkKeyValue).
   */
  keys: number[];
  /**
   * Where the body's text lies in `buf` when the body arrived as a string and nothing else ([bodyFrom,
   * bodyTo)); bodyFrom is −1 otherwise. For a first look at its bytes without encoding the string again.
   */
  bodyFrom: number;
  bodyTo: number;
  /**
   * Where the body's field lies in `raw` (its tag to its end; an empty span at the end when it had no body),
   * and whether the body was replaced (record_bytes.ts: replaceBody). −1 when the body came in twice
   * (merged): it cannot be replaced in place.
   */
  bodyFieldFrom: number;
  bodyFieldTo: number;
  bodyReplaced: boolean;
  /**
   * The spans of `raw` that go out replaced — the body's field, replaced attributes' fields — and the fields
   * in their places, in order: written when first needed (a record the sampler drops never is).
   */
  splices: Array<{ from: number; to: number; bytes: Uint8Array }> | undefined;
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
    const { buf, attrTo, replaced } = state;
    let index = 0;
    seek(state.attrFrom);
    while (position() < attrTo) {
      const key = readTag(buf, attrTo);
      if (key >>> 3 === 6 && (key & 7) === WIRE_LEN) {
        const start = readSpan(buf, attrTo);
        const instead = replaced?.get(index);
        if (instead === undefined) list.push(types!.keyValue.decode(buf.subarray(start, position())) as unknown as PbKeyValue);
        else if (instead !== null) list.push(instead);
        index += 1;
      } else {
        skipField(buf, attrTo, key & 7);
      }
    }
    // From here the list is the truth: bytes holding a replaced attribute no longer say what the record is.
    if (replaced) {
      state.replaced = undefined;
      state.edited = true;
    }
  }
  list.push(...state.added);
  state.added = NOTHING_ADDED;
  state.list = list;
  return list;
}

/**
 * The `index`th attribute it arrived with, decoded alone (the list is not built), as it stands now. `key`:
 * its key's text, where the caller read it already.
 */
export function arrivedAttribute(record: PbLogRecord, index: number, key?: string): PbKeyValue | null {
  const state = recordBytes(record)!;
  const instead = state.replaced?.get(index);
  if (instead !== undefined) return instead;
  const { buf, keys } = state;
  const valueAt = keys[index * 3 + 2]!;
  key ??= utf8(buf, keys[index * 3]!, keys[index * 3 + 1]!);
  return { key, value: valueAt < 0 ? null : arrivedValue(state, valueAt) };
}

/** An attribute's value in the record's bytes (its length first): a lone string (most values) read here, anything else by protobufjs. */
function arrivedValue(state: RecordBytes, valueAt: number): PbAnyValue {
  const buf = state.buf;
  seek(valueAt);
  const start = readSpan(buf, state.attrTo);
  const end = position();
  const text = stringValueAt(buf, start, end);
  return text >= 0 ? { stringValue: utf8(buf, text, end) } : (types!.anyValue.decode(buf.subarray(start, end)) as unknown as PbAnyValue);
}

/**
 * Replaces the `index`th attribute it arrived with (null: removes it), while the list is not built: the
 * new field goes out in the old one's place. False, and nothing done, once the list is built.
 */
export function replaceArrivedAttribute(record: PbLogRecord, index: number, kv: PbKeyValue | null): boolean {
  const state = recordBytes(record)!;
  if (state.list) return false;
  (state.replaced ??= new Map()).set(index, kv);
  state.splices = undefined;
  return true;
}

/**
 * The value of an attribute by key, or undefined; the list is not built. `found` says whether the key is
 * there; `index`, its place among those the record arrived with (−1: added since, or the list is built).
 */
export function lazyAttribute(record: PbLogRecord, key: string): { found: boolean; value: PbAnyValue | null | undefined; index: number } {
  const state = recordBytes(record)!;
  if (state.list) {
    for (const kv of state.list) if (kv.key === key) return { found: true, value: kv.value, index: -1 };
    return NOT_FOUND;
  }
  for (const kv of state.added) if (kv.key === key) return { found: true, value: kv.value, index: -1 };
  if (state.rawCount === 0) return NOT_FOUND;
  const spans = state.keys;
  const wanted = keyBytes(key);
  const buf = state.buf;
  const replaced = state.replaced;
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
    if (replaced?.has(i / 3)) {
      // (Replaced under the same key; a removed one is passed over, as if it were not there.)
      const instead = replaced.get(i / 3)!;
      if (instead === null) continue;
      return { found: true, value: instead.value, index: i / 3 };
    }
    const valueAt = spans[i + 2]!;
    return { found: true, value: valueAt < 0 ? null : arrivedValue(state, valueAt), index: i / 3 };
  }
  return NOT_FOUND;
}

const NOT_FOUND = Object.freeze({ found: false, value: undefined, index: -1 });

/** Adds an attribute the record did not have (the caller checked): kept beside the bytes until a list is built. */
export function addLazyAttribute(record: PbLogRecord, kv: PbKeyValue): void {
  const state = recordBytes(record)!;
  if (state.list) state.list.push(kv);
  else if (state.added === NOTHING_ADDED) state.added = [kv];
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
  const state: RecordBytes = { raw: buf.subarray(start, end), buf, attrFrom: 0, attrTo: 0, rawCount: 0, added: NOTHING_ADDED, list: undefined, edited: false, replaced: undefined, keys: NO_KEYS, bodyFrom: -1, bodyTo: -1, bodyFieldFrom: end - start, bodyFieldTo: end - start, bodyReplaced: false, splices: undefined };
  record[STATE] = state;
  seek(start);
  while (position() < end) {
    const fieldAt = position();
    const tag = readTag(buf, end);
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== WIRE_FIXED64) break;
        setTime(record, 'timeUnixNano', buf, end);
        continue;
      case 11:
        if (wire !== WIRE_FIXED64) break;
        setTime(record, 'observedTimeUnixNano', buf, end);
        continue;
      case 2:
        if (wire !== WIRE_VARINT) break;
        {
          const v = readVarint(buf, end) | 0;
          if (v !== 0) record.severityNumber = v;
          else clear(record, 'severityNumber');
        }
        continue;
      case 3:
        if (wire !== WIRE_LEN) break;
        {
          const from = readSpan(buf, end);
          const v = utf8(buf, from, position());
          if (v !== '') record.severityText = v;
          else clear(record, 'severityText');
        }
        continue;
      case 5: {
        if (wire !== WIRE_LEN) break;
        const from = readSpan(buf, end);
        const to = position();
        // A message field sent twice is merged, as protobufjs (and every protobuf parser) does.
        if (Object.hasOwn(record, 'body')) {
          record.body = decodeInto(types!.anyValue, buf, from, to, record.body) as PbAnyValue;
          state.bodyFrom = -1;
          state.bodyFieldFrom = -1;
        } else {
          const text = stringValueAt(buf, from, to);
          record.body = text >= 0 ? { stringValue: utf8(buf, text, to) } : (types!.anyValue.decode(buf.subarray(from, to)) as unknown as PbAnyValue);
          state.bodyFrom = text;
          state.bodyTo = to;
          state.bodyFieldFrom = fieldAt - start;
          state.bodyFieldTo = to - start;
        }
        seek(to);
        continue;
      }
      case 6: {
        if (wire !== WIRE_LEN) break;
        const from = readSpan(buf, end);
        const to = position();
        // Left in the bytes, but checked now as protobufjs would have: a malformed attribute refuses the
        // request here, rather than failing a processor's lookup later.
        if (state.keys === NO_KEYS) state.keys = [];
        checkKeyValue(buf, from, to, KEY_VALUE_DEPTH, state.keys);
        seek(to);
        if (state.rawCount === 0) state.attrFrom = fieldAt;
        state.attrTo = to;
        state.rawCount += 1;
        continue;
      }
      case 7:
        if (wire !== WIRE_VARINT) break;
        {
          const v = readVarint(buf, end);
          if (v !== 0) record.droppedAttributesCount = v;
          else clear(record, 'droppedAttributesCount');
        }
        continue;
      case 8:
        if (wire !== WIRE_FIXED32) break;
        {
          const v = readFixed32(buf, end);
          if (v !== 0) record.flags = v;
          else clear(record, 'flags');
        }
        continue;
      case 9: {
        if (wire !== WIRE_LEN) break;
        const from = readSpan(buf, end);
        if (position() > from) record.traceId = buf.subarray(from, position());
        else clear(record, 'traceId');
        continue;
      }
      case 10: {
        if (wire !== WIRE_LEN) break;
        const from = readSpan(buf, end);
        if (position() > from) record.spanId = buf.subarray(from, position());
        else clear(record, 'spanId');
        continue;
      }
      case 12:
        if (wire !== WIRE_LEN) break;
        {
          const from = readSpan(buf, end);
          const v = utf8(buf, from, position());
          if (v !== '') record.eventName = v;
          else clear(record, 'eventName');
        }
        continue;
    }
    // A field we do not know (or of a wire type its number does not have): it travels in the bytes.
    skipField(buf, end, wire);
  }
  return record;
}

// Shared until a record has its own (most records get keys; few get added attributes before the chain).
const NOTHING_ADDED: PbKeyValue[] = [];
const NO_KEYS: number[] = [];

/**
 * Scalars are set as protobufjs sets them: a value equal to the field's default (0, '', empty bytes) is not an
 * own property, and a later default even clears an earlier value — so a record read here looks like its own.
 */
function clear(record: Record<string, unknown>, key: string): void {
  if (Object.hasOwn(record, key)) delete record[key];
}

function setTime(record: Record<string, unknown>, key: 'timeUnixNano' | 'observedTimeUnixNano', buf: Buffer, end: number): void {
  const low = readFixed32(buf, end);
  const high = readFixed32(buf, end);
  if (low !== 0 || high !== 0) record[key] = types!.long(low, high);
  else clear(record, key);
}

/**
 * Where the text of an AnyValue in [start, end) begins when it is a string and nothing else (it then ends at
 * `end`); −1 otherwise. A body is a string nearly always: read here; anything else by protobufjs.
 */
function stringValueAt(buf: Buffer, start: number, end: number): number {
  if (end > start && buf[start] === 0x0a) {
    seek(start + 1);
    const from = readSpan(buf, end);
    if (position() === end) return from;
  }
  return -1;
}

/** Decodes a message into an existing one (protobuf's merge of a singular message field sent twice). */
export function decodeInto(type: protobuf.Type, buf: Buffer, start: number, end: number, existing: unknown): unknown {
  const decode = type.decode as unknown as (reader: protobuf.Reader, length: number, end: undefined, depth: number, into: unknown) => unknown;
  return decode.call(type, protobuf.Reader.create(buf.subarray(start, end)), end - start, undefined, 0, existing);
}
