// Conversions between OTLP AnyValue messages and plain JS values, for accessors and attribute writes.
import { anyValueKind, type LongLike, type PbAnyValue, type PbKeyValue } from '../proto/otlp.js';

export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

function longToValue(v: number | LongLike): number | bigint {
  if (typeof v === 'number') return v;
  // Keep int64 exact: beyond 2^53 a JS number would silently round.
  const big = BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0));
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

export function fromAnyValue(value: PbAnyValue | null | undefined): AttributeValue {
  switch (anyValueKind(value)) {
    case 'stringValue':
      return value!.stringValue!;
    case 'boolValue':
      return value!.boolValue!;
    case 'intValue':
      return longToValue(value!.intValue!);
    case 'doubleValue':
      return value!.doubleValue!;
    case 'bytesValue':
      return value!.bytesValue!;
    case 'arrayValue':
      return (value!.arrayValue!.values ?? []).map(fromAnyValue);
    case 'kvlistValue':
      return fromKeyValues(value!.kvlistValue!.values);
    default:
      return null;
  }
}

export function fromKeyValues(list: PbKeyValue[] | null | undefined): { [key: string]: AttributeValue } {
  const out: { [key: string]: AttributeValue } = {};
  for (const kv of list ?? []) out[kv.key] = fromAnyValue(kv.value);
  return out;
}

export function toAnyValue(value: AttributeValue): PbAnyValue {
  if (value === null) return {};
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
    case 'bigint':
      return { intValue: toLong(value) };
    default:
      if (value instanceof Uint8Array) return { bytesValue: value };
      if (Array.isArray(value)) return { arrayValue: { values: value.map(toAnyValue) } };
      return {
        kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: toAnyValue(v) })) },
      };
  }
}

/** A 64-bit integer in the shape protobufjs encodes (and otlp_json.ts writes as decimal text). */
export function toLong(value: bigint): LongLike {
  const u = BigInt.asUintN(64, value);
  const low = Number(u & 0xffffffffn) | 0;
  const high = Number(u >> 32n) | 0;
  return { low, high, unsigned: false, toString: () => value.toString() };
}

/** A body or attribute rendered as text: strings as they are, anything else as JSON. */
export function anyValueToText(value: PbAnyValue | null | undefined): string {
  if (anyValueKind(value) === 'stringValue') return value!.stringValue!;
  const plain = fromAnyValue(value);
  if (plain === null) return '';
  return JSON.stringify(toJsonSafe(plain));
}

// JSON has no bigint or bytes: int64 beyond 2^53 becomes a decimal string, bytes become base64 (as OTLP/JSON does).
function toJsonSafe(value: AttributeValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}
