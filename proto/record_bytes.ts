// The zero-copy path for log records. A record read from protobuf (lazy_record.ts) keeps its own bytes (a
// view into the request, no copy) and how many attributes it had then; the processors add attributes
// through the batch's accessors (pattern id, sample rate, count, reason). Encoding such a record again is
// its bytes as received followed by the added attributes — a repeated field may be continued anywhere in a
// message, and a parser merges them — instead of protobufjs walking every field, attribute and value again.
// A record whose body or arrived attributes were replaced (redaction) goes out as its bytes with each new
// field written in the old one's place. A record whose attributes were changed after their whole list was
// read, or that never had bytes (OTLP/JSON, the store, tests), is encoded by protobufjs as before.
import type protobuf from 'protobufjs';
import { recordBytes } from './lazy_record.js';
import { WIRE_LEN, position, readSpan, readTag, seek, skipField } from './wire.js';
import type { PbAnyValue, PbKeyValue, PbLogRecord } from './otlp.js';

/** An attribute the record arrived with was changed: encode it field by field from now on. */
export function markEdited(record: PbLogRecord): void {
  const state = recordBytes(record);
  if (state) state.edited = true;
}

// protobufjs decodes `bytes` fields (trace and span ids, bytes values) as views into the request too; an
// unset one reads the prototype's default (an empty array), which is nobody's view.
function ownBytes(view: Uint8Array): Uint8Array {
  return view instanceof Uint8Array && view.byteLength > 0 ? Uint8Array.prototype.slice.call(view) : view;
}

function ownValue(value: PbAnyValue | null | undefined): void {
  if (!value) return;
  if (Object.hasOwn(value, 'bytesValue') && value.bytesValue) value.bytesValue = ownBytes(value.bytesValue);
  for (const v of value.arrayValue?.values ?? []) ownValue(v);
  for (const kv of value.kvlistValue?.values ?? []) ownValue(kv.value);
}

/** Copies what is a view into the request out of it: ids, bytes values, the attributes built so far. */
function ownFields(record: PbLogRecord, attributes: readonly PbKeyValue[]): void {
  if (Object.hasOwn(record, 'traceId') && record.traceId) record.traceId = ownBytes(record.traceId);
  if (Object.hasOwn(record, 'spanId') && record.spanId) record.spanId = ownBytes(record.spanId);
  ownValue(record.body);
  for (const kv of attributes) ownValue(kv.value);
}

/**
 * Lets go of the request: for a record held past it (the retro buffer), which would otherwise keep the
 * whole request in memory for one record. Its attributes are built first (they were in the request), and it
 * is encoded field by field from then on.
 */
export function detachFromRequest(record: PbLogRecord): void {
  const attributes = record.attributes ?? [];
  const state = recordBytes(record);
  if (state) {
    state.raw = undefined;
    state.splices = undefined;
    state.buf = EMPTY;
    state.rawCount = 0;
  }
  ownFields(record, attributes);
}

const EMPTY = Buffer.alloc(0);

/**
 * Copies the records' bytes out of their requests into one buffer of their own: for records kept in a
 * memory queue, where a request's other (dropped) records would stay in memory with them.
 */
export function compactBytes(records: Iterable<PbLogRecord>): void {
  const states = [];
  let total = 0;
  for (const record of records) {
    const state = recordBytes(record);
    ownFields(record, state ? (state.list ?? state.added) : (record.attributes ?? []));
    if (!state?.raw) continue;
    states.push(state);
    total += state.raw.byteLength;
  }
  if (states.length === 0) return;
  const own = Buffer.allocUnsafe(total);
  let at = 0;
  for (const state of states) {
    const raw = state.raw!;
    own.set(raw, at);
    // The attributes' span moves with the record: same distance from its start.
    const recordStart = raw.byteOffset - state.buf.byteOffset;
    state.attrFrom = state.attrFrom - recordStart + at;
    state.attrTo = state.attrTo - recordStart + at;
    for (let i = 0; i < state.keys.length; i++) if (state.keys[i]! >= 0) state.keys[i] = state.keys[i]! - recordStart + at;
    if (state.bodyFrom >= 0) {
      state.bodyFrom = state.bodyFrom - recordStart + at;
      state.bodyTo = state.bodyTo - recordStart + at;
    }
    state.buf = own;
    state.raw = own.subarray(at, at + raw.byteLength);
    at += raw.byteLength;
  }
}

/**
 * Replaces a record's body. While its bytes can be reused, only the body's field is written anew (when the
 * record is measured or sent), to go out in the old one's place (the rest of its bytes as they came);
 * otherwise it is encoded field by field from now on.
 */
export function replaceBody(record: PbLogRecord, body: PbAnyValue): void {
  record.body = body;
  const state = recordBytes(record);
  if (!state) return;
  if (!state.raw || state.edited || state.bodyFieldFrom < 0) {
    state.edited = true;
    return;
  }
  state.bodyReplaced = true;
  state.splices = undefined;
  state.bodyFrom = -1;
}

/** A LogRecord's body field: a string written here, any other value by protobufjs. */
function bodyField(body: PbAnyValue, types: FallbackTypes): Uint8Array {
  const text = Object.hasOwn(body, 'stringValue') && Object.keys(body).length === 1 ? body.stringValue : undefined;
  const valueBytes = typeof text === 'string' ? undefined : types.anyValue.encode(body as unknown as protobuf.Message).finish();
  const textLength = typeof text === 'string' ? Buffer.byteLength(text) : 0;
  const length = valueBytes ? valueBytes.byteLength : fieldSize(textLength);
  const out = Buffer.allocUnsafe(fieldSize(length));
  out[0] = TAG_BODY;
  let at = writeVarint(out, 1, length);
  if (valueBytes) {
    out.set(valueBytes, at);
  } else {
    out[at++] = TAG_STRING_VALUE;
    at = writeVarint(out, at, textLength);
    out.write(text!, at);
  }
  return out;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n > 0x7f) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  return at;
}

/** A span of a record's bytes that goes out replaced, and the field in its place. */
interface Splice {
  from: number;
  to: number;
  bytes: Uint8Array;
}
const NO_SPLICES: readonly Splice[] = [];

/** A record's bytes to reuse: as received, with each splice's field in place of its span. */
export interface ReusableBytes {
  raw: Uint8Array;
  added: readonly PbKeyValue[];
  splices: readonly Splice[];
}

/** The record's bytes and the attributes added since, when its bytes still say what it was. */
export function reusableBytes(record: PbLogRecord, types: FallbackTypes): ReusableBytes | undefined {
  const state = recordBytes(record);
  if (!state?.raw || state.edited) return undefined;
  if (state.splices === undefined && (state.bodyReplaced || state.replaced)) state.splices = splicesOf(record, types);
  const raw = state.raw;
  const splices = state.splices ?? NO_SPLICES;
  if (!state.list) return { raw, added: state.added, splices };
  if (state.list.length < state.rawCount) return undefined;
  return { raw, added: state.rawCount === 0 ? state.list : state.list.slice(state.rawCount), splices };
}

/** What of a record's bytes is replaced: the body's field, and each replaced attribute's (found in order among its fields). */
function splicesOf(record: PbLogRecord, types: FallbackTypes): Splice[] {
  const state = recordBytes(record)!;
  const splices: Splice[] = [];
  if (state.bodyReplaced) splices.push({ from: state.bodyFieldFrom, to: state.bodyFieldTo, bytes: bodyField(record.body!, types) });
  const replaced = state.replaced;
  if (replaced) {
    // The attributes' fields, in order, between the first and the last (in the request's buffer; spans
    // here are counted from the record's start).
    const { buf, attrTo } = state;
    const recordStart = state.raw!.byteOffset - buf.byteOffset;
    let index = 0;
    seek(state.attrFrom);
    while (position() < attrTo) {
      const fieldAt = position();
      const fieldTag = readTag(buf, attrTo);
      if (fieldTag >>> 3 === 6 && (fieldTag & 7) === WIRE_LEN) {
        readSpan(buf, attrTo);
        const kv = replaced.get(index++);
        if (kv !== undefined) splices.push({ from: fieldAt - recordStart, to: position() - recordStart, bytes: kv === null ? EMPTY : attributeField(kv, types) });
      } else {
        skipField(buf, attrTo, fieldTag & 7);
      }
    }
  }
  return splices.sort((a, b) => a.from - b.from);
}

/** An attribute's field (tag, length, KeyValue): written here when simple, by protobufjs otherwise. */
function attributeField(kv: PbKeyValue, types: FallbackTypes): Uint8Array {
  const simple = simpleAttribute(kv);
  if (simple) {
    const out = Buffer.allocUnsafe(fieldSize(simple.size));
    writeSimpleAttribute(out, 0, simple);
    return out;
  }
  const message = types.keyValue.encode(kv as unknown as protobuf.Message).finish();
  const out = Buffer.allocUnsafe(fieldSize(message.byteLength));
  out[0] = TAG_ATTRIBUTE;
  out.set(message, writeVarint(out, 1, message.byteLength));
  return out;
}

/** The size of a record's own fields as they go out (each splice's field in place of its span). */
function outgoingSize(reuse: ReusableBytes): number {
  let size = reuse.raw.byteLength;
  for (const splice of reuse.splices) size += splice.bytes.byteLength - (splice.to - splice.from);
  return size;
}

/** A record's own fields as they go out: its bytes, or a copy with each splice's field in place of its span. */
function outgoingBytes(reuse: ReusableBytes): Uint8Array {
  if (reuse.splices.length === 0) return reuse.raw;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const splice of reuse.splices) {
    parts.push(reuse.raw.subarray(at, splice.from), splice.bytes);
    at = splice.to;
  }
  parts.push(reuse.raw.subarray(at));
  return Buffer.concat(parts);
}

/**
 * A record's size in protobuf (what a backend billing bytes ingested is sent): `withAdded` false, as it was
 * received — its own bytes; true, as logsift sends it — with the attributes added since. A record without
 * reusable bytes is measured as protobufjs writes it now.
 */
export function recordWireSize(record: PbLogRecord, withAdded: boolean, types: FallbackTypes): number {
  // As received, a record that kept its bytes is its bytes, whatever was done to it since.
  if (!withAdded) {
    const raw = recordBytes(record)?.raw;
    if (raw) return raw.byteLength;
  }
  const reuse = reusableBytes(record, types);
  if (!reuse) return types.logRecord.encode(record as unknown as protobuf.Message).finish().byteLength;
  let size = outgoingSize(reuse);
  if (withAdded) {
    for (const kv of reuse.added) {
      const simple = simpleAttribute(kv);
      size += fieldSize(simple ? simple.size : types.keyValue.encode(kv as unknown as protobuf.Message).finish().byteLength);
    }
  }
  return size;
}

/** The protobufjs types the encoder falls back to for what it does not write itself. */
export interface FallbackTypes {
  anyValue: protobuf.Type;
  resource: protobuf.Type;
  scope: protobuf.Type;
  logRecord: protobuf.Type;
  keyValue: protobuf.Type;
}

// Wire types and the tags written here (field number << 3 | wire type).
const LEN = 2;
const tag = (field: number, wire: number) => (field << 3) | wire;
const TAG_RESOURCE_LOGS = tag(1, LEN);
const TAG_RESOURCE = tag(1, LEN);
const TAG_SCOPE_LOGS = tag(2, LEN);
const TAG_SCHEMA_URL = tag(3, LEN);
const TAG_SCOPE = tag(1, LEN);
const TAG_LOG_RECORD = tag(2, LEN);
const TAG_ATTRIBUTE = tag(6, LEN);
const TAG_BODY = tag(5, LEN);

const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
/** The varint size of a non-negative safe integer (beyond 32 bits too). */
function bigVarintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size += 1;
  }
  return size;
}
/** A length-delimited field's size: its tag (all ours fit in a byte), its length, its content. */
const fieldSize = (length: number) => 1 + varintSize(length) + length;

/**
 * An ExportLogsServiceRequest in protobuf, reusing each record's bytes where it can (see above); everything
 * else — resources, scopes, records without reusable bytes, added attributes — by protobufjs, so the output
 * means exactly what protobufjs would have written (field order aside).
 */
export function encodeReusingRecords(request: { resourceLogs?: ReadonlyArray<{ resource?: object | null; scopeLogs?: ReadonlyArray<{ scope?: object | null; logRecords?: readonly PbLogRecord[] | null; schemaUrl?: string | null }> | null; schemaUrl?: string | null }> | null }, types: FallbackTypes): Uint8Array {
  // First pass: every piece's bytes or size, in writing order, and each message's length.
  const pieces: Array<Uint8Array | string | SimpleAttribute> = [];
  const lengths: number[] = [];
  let total = 0;
  const encodeWith = (type: protobuf.Type, message: object) => type.encode(message as protobuf.Message).finish();
  for (const rl of request.resourceLogs ?? []) {
    const rlAt = lengths.push(0) - 1;
    let rlLength = 0;
    if (rl.resource) {
      const bytes = encodeWith(types.resource, rl.resource);
      pieces.push(bytes);
      rlLength += fieldSize(bytes.byteLength);
    }
    for (const sl of rl.scopeLogs ?? []) {
      const slAt = lengths.push(0) - 1;
      let slLength = 0;
      if (sl.scope) {
        const bytes = encodeWith(types.scope, sl.scope);
        pieces.push(bytes);
        slLength += fieldSize(bytes.byteLength);
      }
      for (const record of sl.logRecords ?? []) {
        const reuse = reusableBytes(record, types);
        if (!reuse) {
          const bytes = encodeWith(types.logRecord, record);
          lengths.push(-1);
          pieces.push(bytes);
          slLength += fieldSize(bytes.byteLength);
          continue;
        }
        const own = outgoingBytes(reuse);
        let recordLength = own.byteLength;
        pieces.push(own);
        for (const kv of reuse.added) {
          const simple = simpleAttribute(kv);
          const piece = simple ?? encodeWith(types.keyValue, kv);
          pieces.push(piece);
          recordLength += fieldSize(simple ? simple.size : (piece as Uint8Array).byteLength);
        }
        lengths.push(reuse.added.length);
        slLength += fieldSize(recordLength);
      }
      if (sl.schemaUrl) {
        pieces.push(sl.schemaUrl);
        slLength += fieldSize(Buffer.byteLength(sl.schemaUrl));
      }
      lengths[slAt] = slLength;
      rlLength += fieldSize(slLength);
    }
    if (rl.schemaUrl) {
      pieces.push(rl.schemaUrl);
      rlLength += fieldSize(Buffer.byteLength(rl.schemaUrl));
    }
    lengths[rlAt] = rlLength;
    total += fieldSize(rlLength);
  }
  // Second pass: the same walk, writing.
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  let piece = 0;
  let length = 0;
  const varint = (n: number) => {
    while (n > 0x7f) {
      out[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[at++] = n;
  };
  const bytesField = (fieldTag: number, bytes: Uint8Array) => {
    out[at++] = fieldTag;
    varint(bytes.byteLength);
    out.set(bytes, at);
    at += bytes.byteLength;
  };
  const stringField = (fieldTag: number, text: string) => {
    out[at++] = fieldTag;
    varint(Buffer.byteLength(text));
    at += out.write(text, at);
  };
  for (const rl of request.resourceLogs ?? []) {
    out[at++] = TAG_RESOURCE_LOGS;
    varint(lengths[length++]!);
    if (rl.resource) bytesField(TAG_RESOURCE, pieces[piece++] as Uint8Array);
    for (const sl of rl.scopeLogs ?? []) {
      out[at++] = TAG_SCOPE_LOGS;
      varint(lengths[length++]!);
      if (sl.scope) bytesField(TAG_SCOPE, pieces[piece++] as Uint8Array);
      for (let i = 0; i < (sl.logRecords?.length ?? 0); i++) {
        const added = lengths[length++]!;
        if (added < 0) {
          bytesField(TAG_LOG_RECORD, pieces[piece++] as Uint8Array);
          continue;
        }
        const raw = pieces[piece++] as Uint8Array;
        let recordLength = raw.byteLength;
        for (let k = 0; k < added; k++) {
          const p = pieces[piece + k]!;
          recordLength += fieldSize(p instanceof Uint8Array ? p.byteLength : (p as SimpleAttribute).size);
        }
        out[at++] = TAG_LOG_RECORD;
        varint(recordLength);
        out.set(raw, at);
        at += raw.byteLength;
        for (let k = 0; k < added; k++) {
          const p = pieces[piece++]!;
          if (p instanceof Uint8Array) bytesField(TAG_ATTRIBUTE, p);
          else at = writeSimpleAttribute(out, at, p as SimpleAttribute);
        }
      }
      if (sl.schemaUrl) stringField(TAG_SCHEMA_URL, pieces[piece++] as string);
    }
    if (rl.schemaUrl) stringField(TAG_SCHEMA_URL, pieces[piece++] as string);
  }
  if (at !== total) throw new Error(`encoder wrote ${at} bytes of ${total}`);
  return out;
}

// The attributes the chain adds are a string key and a string, integer, double or boolean value: written
// here straight into the output, sized without encoding them first (protobufjs would build a buffer each).
const TAG_KEY = tag(1, LEN);
const TAG_VALUE = tag(2, LEN);
const TAG_STRING_VALUE = tag(1, LEN);
const TAG_BOOL_VALUE = tag(2, 0);
const TAG_INT_VALUE = tag(3, 0);
const TAG_DOUBLE_VALUE = tag(4, 1);

interface SimpleAttribute {
  kv: PbKeyValue;
  keyBytes: number;
  /** The AnyValue's kind and its content size (a string's bytes). */
  kind: 'string' | 'bool' | 'int' | 'double';
  valueBytes: number;
  /** The KeyValue message's size. */
  size: number;
}

function simpleAttribute(kv: PbKeyValue): SimpleAttribute | undefined {
  const v = kv.value;
  if (!v) return undefined;
  let kind: SimpleAttribute['kind'];
  let valueBytes = 0;
  let valueSize: number;
  if (typeof v.stringValue === 'string' && Object.hasOwn(v, 'stringValue')) {
    kind = 'string';
    valueBytes = Buffer.byteLength(v.stringValue);
    valueSize = fieldSize(valueBytes);
  } else if (typeof v.intValue === 'number' && Object.hasOwn(v, 'intValue') && Number.isSafeInteger(v.intValue) && v.intValue >= 0) {
    kind = 'int';
    valueSize = 1 + bigVarintSize(v.intValue);
  } else if (typeof v.doubleValue === 'number' && Object.hasOwn(v, 'doubleValue')) {
    kind = 'double';
    valueSize = 9;
  } else if (typeof v.boolValue === 'boolean' && Object.hasOwn(v, 'boolValue')) {
    kind = 'bool';
    valueSize = 2;
  } else {
    return undefined;
  }
  const keyBytes = Buffer.byteLength(kv.key);
  return { kv, keyBytes, kind, valueBytes, size: fieldSize(keyBytes) + fieldSize(valueSize) };
}

/** A varint of a whole number up to 2^53 (writeVarint's `>>>` holds 32 bits): where it ends. */
function writeWideVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[at++] = n;
  return at;
}

function writeSimpleAttribute(out: Buffer, at: number, a: SimpleAttribute): number {
  const v = a.kv.value!;
  out[at++] = TAG_ATTRIBUTE;
  at = writeWideVarint(out, at, a.size);
  out[at++] = TAG_KEY;
  at = writeWideVarint(out, at, a.keyBytes);
  at += out.write(a.kv.key, at);
  out[at++] = TAG_VALUE;
  switch (a.kind) {
    case 'string':
      at = writeWideVarint(out, at, fieldSize(a.valueBytes));
      out[at++] = TAG_STRING_VALUE;
      at = writeWideVarint(out, at, a.valueBytes);
      at += out.write(v.stringValue!, at);
      break;
    case 'int':
      at = writeWideVarint(out, at, 1 + bigVarintSize(v.intValue as number));
      out[at++] = TAG_INT_VALUE;
      at = writeWideVarint(out, at, v.intValue as number);
      break;
    case 'double':
      at = writeWideVarint(out, at, 9);
      out[at++] = TAG_DOUBLE_VALUE;
      at = out.writeDoubleLE(v.doubleValue!, at);
      break;
    case 'bool':
      at = writeWideVarint(out, at, 2);
      out[at++] = TAG_BOOL_VALUE;
      out[at++] = v.boolValue ? 1 : 0;
      break;
  }
  return at;
}
