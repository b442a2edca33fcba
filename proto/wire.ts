// Reading protobuf's wire format by hand, for the one message logsift reads at line rate (the export
// request): varints, fixed-width numbers, length-delimited spans and skipping what is not ours. Every read is
// bounded by the span it is in; a malformed message throws, as protobufjs's reader does.
import { isUtf8 } from 'node:buffer';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class WireReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    /** Where the span being read ends. */
    public end: number,
  ) {
    this.pos = start;
  }

  /** A varint up to 32 bits (tags, lengths, enums, counts); wider ones are read and truncated like protobufjs. */
  varint(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('index out of range: a varint runs past its message');
      const byte = buf[this.pos++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
      shift += 7;
      if (shift > 63) throw new Error('invalid varint encoding');
    }
  }

  /** A field's tag (number << 3 | wire type); field number 0 is illegal, as protobufjs says. */
  tag(): number {
    const tag = this.varint();
    if (tag >>> 3 === 0) throw new Error('illegal tag: field number 0');
    return tag;
  }

  /** The two 32-bit halves of a fixed64 field. */
  fixed64(): { low: number; high: number } {
    this.need(8);
    const low = this.buf.readUInt32LE(this.pos);
    const high = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    return { low, high };
  }

  fixed32(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A length-delimited field's span: [start, end) within the buffer. */
  span(): number {
    const length = this.varint();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return start;
  }

  /** A string field, checked to be UTF-8 as proto3 requires (protobufjs refuses it otherwise, and so do we). */
  string(): string {
    const start = this.span();
    return utf8(this.buf, start, this.pos);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.span();
        return;
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new Error(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  need(bytes: number): void {
    if (this.pos + bytes > this.end) throw new RangeError(`index out of range: ${this.pos} + ${bytes} > ${this.end}`);
  }
}

/** Text from bytes that must be UTF-8: decoded natively; checked strictly only when the decoder had to replace something. */
export function utf8(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, end);
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) throw new Error('invalid UTF-8 in a string field');
  return text;
}
