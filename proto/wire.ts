// Reading protobuf's wire format by hand, for the one message logsift reads at line rate (the export
// request): varints, fixed-width numbers, length-delimited spans and skipping what is not ours. One cursor
// (`position` / `seek`) and no reader objects: these run for every field of every record. Every read is
// bounded by the end of the span it is in; a malformed message throws, as protobufjs's reader does.
import { isUtf8 } from 'node:buffer';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

let at = 0;

/** Where the cursor is. */
export function position(): number {
  return at;
}

export function seek(to: number): void {
  at = to;
}

/** A varint up to 32 bits (tags, lengths, enums, counts); wider ones are read and truncated like protobufjs. */
export function readVarint(buf: Buffer, end: number): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= end) throw new RangeError('index out of range: a varint runs past its message');
    const byte = buf[at++]!;
    if (shift < 32) value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return value >>> 0;
    shift += 7;
    if (shift > 63) throw new Error('invalid varint encoding');
  }
}

/** A field's tag (number << 3 | wire type); field number 0 is illegal, as protobufjs says. */
export function readTag(buf: Buffer, end: number): number {
  const tag = readVarint(buf, end);
  if (tag >>> 3 === 0) throw new Error('illegal tag: field number 0');
  return tag;
}

/** Moves past a length-delimited field's content; returns where it began (it ends at the cursor). */
export function readSpan(buf: Buffer, end: number): number {
  const length = readVarint(buf, end);
  need(length, end);
  const start = at;
  at += length;
  return start;
}

export function readFixed32(buf: Buffer, end: number): number {
  need(4, end);
  const value = buf.readUInt32LE(at);
  at += 4;
  return value;
}

/** A string field, checked to be UTF-8 as proto3 requires (protobufjs refuses it otherwise, and so do we). */
export function readString(buf: Buffer, end: number): string {
  const start = readSpan(buf, end);
  return utf8(buf, start, at);
}

export function skipField(buf: Buffer, end: number, wireType: number): void {
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(buf, end);
      return;
    case WIRE_FIXED64:
      need(8, end);
      at += 8;
      return;
    case WIRE_LEN:
      readSpan(buf, end);
      return;
    case WIRE_FIXED32:
      need(4, end);
      at += 4;
      return;
    default:
      throw new Error(`invalid wire type ${wireType} at offset ${at}`);
  }
}

function need(bytes: number, end: number): void {
  if (at + bytes > end) throw new RangeError(`index out of range: ${at} + ${bytes} > ${end}`);
}

/** Text from bytes that must be UTF-8: decoded natively; checked strictly only when the decoder had to replace something. */
export function utf8(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, end);
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) throw new Error('invalid UTF-8 in a string field');
  return text;
}
