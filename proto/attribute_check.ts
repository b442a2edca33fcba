// The checks a record's attributes get when it is read (lazy_record.ts leaves them in the bytes): what
// protobufjs would refuse at decoding — framing, field number 0, strings that are not UTF-8, nesting past its
// depth limit — refuses the request now, rather than failing a processor's lookup later (a processor that
// throws breaks its pipeline). Walked with wire.ts's cursor, building nothing; the walk also notes where each
// key lies, which is all a lookup needs.
import { WIRE_LEN, position, readSpan, readTag, seek, skipField, utf8 } from './wire.js';

// How deep a request may nest: protobufjs's limit (100), counted as it counts — the request is 0, a record 3,
// its attributes 4, each value and each list inside them one more.
const MAX_DEPTH = 100;
export const KEY_VALUE_DEPTH = 4;

function checkDepth(depth: number): void {
  if (depth > MAX_DEPTH) throw new Error('max depth exceeded');
}

/**
 * A KeyValue's framing, its key's UTF-8 and its value. `spans` receives where its key lies and where its
 * value starts (the value's length prefix; −1 when it has none): three numbers an attribute.
 */
export function checkKeyValue(buf: Buffer, start: number, end: number, depth: number, spans?: number[]): void {
  checkDepth(depth);
  seek(start);
  // A KeyValue without a key has the empty key.
  let keyFrom = start;
  let keyTo = start;
  let valueAt = -1;
  while (position() < end) {
    const tag = readTag(buf, end);
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === WIRE_LEN && field === 1) {
      keyFrom = readSpan(buf, end);
      keyTo = position();
      checkUtf8(buf, keyFrom, keyTo);
    } else if (wire === WIRE_LEN && field === 2) {
      valueAt = position();
      const from = readSpan(buf, end);
      const after = position();
      checkAnyValue(buf, from, after, depth + 1);
      seek(after);
    } else {
      skipField(buf, end, wire);
    }
  }
  spans?.push(keyFrom, keyTo, valueAt);
}

function checkAnyValue(buf: Buffer, start: number, end: number, depth: number): void {
  checkDepth(depth);
  seek(start);
  while (position() < end) {
    const tag = readTag(buf, end);
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === WIRE_LEN && field === 1) {
      const from = readSpan(buf, end);
      checkUtf8(buf, from, position());
    } else if (wire === WIRE_LEN && (field === 5 || field === 6)) {
      // An ArrayValue (repeated AnyValue) or a KeyValueList (repeated KeyValue), both in field 1.
      const from = readSpan(buf, end);
      const listEnd = position();
      checkDepth(depth + 1);
      seek(from);
      while (position() < listEnd) {
        const inner = readTag(buf, listEnd);
        if (inner >>> 3 === 1 && (inner & 7) === WIRE_LEN) {
          const item = readSpan(buf, listEnd);
          const after = position();
          if (field === 5) checkAnyValue(buf, item, after, depth + 2);
          else checkKeyValue(buf, item, after, depth + 2);
          seek(after);
        } else {
          skipField(buf, listEnd, inner & 7);
        }
      }
    } else {
      skipField(buf, end, wire);
    }
  }
}

function checkUtf8(buf: Buffer, start: number, end: number): void {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return void utf8(buf, start, end);
}
