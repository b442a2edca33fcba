// OTLP/JSON, as the OTLP spec defines it: lowerCamelCase keys (snake_case accepted on input), trace and span
// ids as hex, int64 as decimal strings (numbers accepted on input), enums as integers, bytes as base64.
import { ExportLogsServiceRequest, anyValueKind, decodeExportRequest, encodeExportRequest, type LongLike, type PbAnyValue, type PbExportRequest, type PbKeyValue, type PbLogRecord } from './otlp.js';

const ID_LENGTH: Record<string, number> = { traceId: 16, spanId: 8 };
const INT64_KEYS = new Set(['timeUnixNano', 'observedTimeUnixNano', 'intValue']);
const INT64_TEXT = /^-?\d{1,20}$/;

function camel(key: string): string {
  return key.includes('_') ? key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : key;
}

/** Normalises keys and converts what protobufjs' fromObject would misread (hex ids); throws on bad values. */
function normalise(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((item, i) => normalise(item, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(node)) {
    const key = camel(rawKey);
    const at = `${path}.${key}`;
    if (key in ID_LENGTH && value !== '' && value != null) {
      if (typeof value !== 'string' || !/^[0-9a-fA-F]*$/.test(value) || value.length !== ID_LENGTH[key]! * 2) {
        throw new TypeError(`${at}: must be ${ID_LENGTH[key]! * 2} hex characters`);
      }
      out[key] = Buffer.from(value, 'hex');
    } else if (INT64_KEYS.has(key) && value != null) {
      if (!(typeof value === 'number' ? Number.isInteger(value) : typeof value === 'string' && INT64_TEXT.test(value))) {
        throw new TypeError(`${at}: must be an integer (a decimal string or number), got ${JSON.stringify(value)}`);
      }
      out[key] = value;
    } else {
      out[key] = normalise(value, at);
    }
  }
  return out;
}

/**
 * An OTLP/JSON request read as a protobuf one is: parsed, written in protobuf and read back, so its records
 * are like those a protobuf client sends — they keep their bytes (written back as they came) and are
 * measured as received (what a backend billing bytes ingested counts; see the sampler's ledger).
 */
export function readJsonExportRequest(text: string): PbExportRequest {
  return decodeExportRequest(encodeExportRequest(decodeJsonExportRequest(text)));
}

/** Parses an OTLP/JSON ExportLogsServiceRequest; throws an Error whose message says what is wrong. */
export function decodeJsonExportRequest(text: string): PbExportRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`invalid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('the body must be a JSON object (an ExportLogsServiceRequest)');
  }
  const normalised = normalise(parsed, '$');
  try {
    return ExportLogsServiceRequest.fromObject(normalised as Record<string, unknown>) as unknown as PbExportRequest;
  } catch (error) {
    // protobufjs names the failing field with its full type path; keep just the field.
    throw new TypeError(String((error as Error).message).replace(/^\.?[\w.]+?\.(\w+:)/, '$1'));
  }
}

function longText(v: number | LongLike): string {
  if (typeof v === 'number') return String(v);
  const u = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return (v.unsigned ? u : BigInt.asIntN(64, u)).toString();
}

function isSet(v: number | LongLike | null | undefined): v is number | LongLike {
  return v != null && (typeof v === 'number' ? v !== 0 : v.low !== 0 || v.high !== 0);
}

function bytesBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function bytesHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function anyValueJson(v: PbAnyValue | null | undefined): Record<string, unknown> {
  switch (anyValueKind(v)) {
    case 'stringValue':
      return { stringValue: v!.stringValue };
    case 'boolValue':
      return { boolValue: v!.boolValue };
    case 'intValue':
      return { intValue: longText(v!.intValue!) };
    case 'doubleValue':
      // JSON has no NaN or Infinity; proto3 JSON spells them as strings.
      return { doubleValue: Number.isFinite(v!.doubleValue) ? v!.doubleValue : String(v!.doubleValue) };
    case 'bytesValue':
      return { bytesValue: bytesBase64(v!.bytesValue!) };
    case 'arrayValue':
      return { arrayValue: { values: (v!.arrayValue!.values ?? []).map(anyValueJson) } };
    case 'kvlistValue':
      return { kvlistValue: { values: keyValuesJson(v!.kvlistValue!.values) } };
    default:
      return {};
  }
}

function keyValuesJson(list: PbKeyValue[] | null | undefined): Array<Record<string, unknown>> {
  return (list ?? []).map((kv) => ({ key: kv.key, value: anyValueJson(kv.value) }));
}

function withAttributes(out: Record<string, unknown>, holder: { attributes?: PbKeyValue[] | null; droppedAttributesCount?: number | null }): Record<string, unknown> {
  if (holder.attributes?.length) out.attributes = keyValuesJson(holder.attributes);
  if (holder.droppedAttributesCount) out.droppedAttributesCount = holder.droppedAttributesCount;
  return out;
}

function logRecordJson(r: PbLogRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isSet(r.timeUnixNano)) out.timeUnixNano = longText(r.timeUnixNano);
  if (isSet(r.observedTimeUnixNano)) out.observedTimeUnixNano = longText(r.observedTimeUnixNano);
  if (r.severityNumber) out.severityNumber = r.severityNumber;
  if (r.severityText) out.severityText = r.severityText;
  if (r.body) out.body = anyValueJson(r.body);
  withAttributes(out, r);
  if (r.flags) out.flags = r.flags;
  if (r.traceId?.length) out.traceId = bytesHex(r.traceId);
  if (r.spanId?.length) out.spanId = bytesHex(r.spanId);
  if (r.eventName) out.eventName = r.eventName;
  return out;
}

/** OTLP/JSON object of a request (for JSON responses and the file exporter). */
export function exportRequestJson(request: PbExportRequest): Record<string, unknown> {
  return {
    resourceLogs: (request.resourceLogs ?? []).map((rl) => {
      const out: Record<string, unknown> = { resource: withAttributes({}, rl.resource ?? {}) };
      out.scopeLogs = (rl.scopeLogs ?? []).map((sl) => {
        const scope: Record<string, unknown> = {};
        if (sl.scope?.name) scope.name = sl.scope.name;
        if (sl.scope?.version) scope.version = sl.scope.version;
        withAttributes(scope, sl.scope ?? {});
        const scopeOut: Record<string, unknown> = { scope, logRecords: (sl.logRecords ?? []).map(logRecordJson) };
        if (sl.schemaUrl) scopeOut.schemaUrl = sl.schemaUrl;
        return scopeOut;
      });
      if (rl.schemaUrl) out.schemaUrl = rl.schemaUrl;
      return out;
    }),
  };
}
