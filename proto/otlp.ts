// Loads the OTLP .proto files beside this module once, so every transport (gRPC, HTTP, exporters)
// encodes and decodes with the same compiled types.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { useTypes } from './lazy_record.js';
import { readExportRequest } from './lazy_request.js';
import { encodeReusingRecords, recordWireSize, reusableBytes } from './record_bytes.js';

const protoDir = path.dirname(fileURLToPath(import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(protoDir, target);
  root.loadSync(
    ['opentelemetry/proto/collector/logs/v1/logs_service.proto', 'google/rpc/status.proto'],
    { keepCase: false },
  );
  root.resolveAll();
  return root;
}

const root = loadRoot();

/**
 * protobufjs's decoder records which member of a oneof was read by assigning the oneof's virtual property,
 * whose setter `delete`s every other member: on AnyValue (the body and every attribute value) that is six
 * deletes per value, a fifth of all decoding time, and it leaves each object in V8's slow dictionary mode.
 * Nothing here reads the virtual property (anyValueKind reads own members), so the setter is made inert.
 * A value with two members set — malformed on the wire — keeps both; anyValueKind takes the first.
 */
function inertOneofs(typeName: string): void {
  const ctor = root.lookupType(typeName).ctor;
  // protobufjs defines the accessor unconfigurable; a prototype in front of it shadows it instead.
  const inert: PropertyDescriptorMap = {};
  for (const oneof of root.lookupType(typeName).oneofsArray) inert[oneof.name] = { get: () => undefined, set: () => undefined };
  ctor.prototype = Object.create(ctor.prototype as object, inert) as protobuf.Message;
}
inertOneofs('opentelemetry.proto.common.v1.AnyValue');

export const ExportLogsServiceRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');
export const ResourceLogsType = root.lookupType('opentelemetry.proto.logs.v1.ResourceLogs');
export const LogRecordType = root.lookupType('opentelemetry.proto.logs.v1.LogRecord');
export const ResourceType = root.lookupType('opentelemetry.proto.resource.v1.Resource');
const KeyValueType = root.lookupType('opentelemetry.proto.common.v1.KeyValue');
export const ScopeType = root.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');
const AnyValueType = root.lookupType('opentelemetry.proto.common.v1.AnyValue');
// Timestamps as protobufjs gives them (unsigned Longs), so a record read by hand looks like one it read.
const Long = protobuf.util.Long as unknown as { fromBits(low: number, high: number, unsigned: boolean): unknown };
useTypes({ logRecord: LogRecordType, keyValue: KeyValueType, anyValue: AnyValueType, long: (low, high) => Long.fromBits(low, high, true) });
const FALLBACK_TYPES = { anyValue: AnyValueType, resource: ResourceType, scope: ScopeType, logRecord: LogRecordType, keyValue: KeyValueType };

export const RpcStatus = root.lookupType('google.rpc.Status');
export const RetryInfo = root.lookupType('google.rpc.RetryInfo');

/** The gRPC method path OTLP clients call. */
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

// Plain shapes of the decoded messages (protobufjs camelCases field names). Only `pipeline/` and the
// codecs use these; processors see the accessors in pipeline/batch.ts.
export interface PbKeyValue { key: string; value?: PbAnyValue | null }
export interface PbAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | LongLike | null;
  doubleValue?: number | null;
  arrayValue?: { values?: PbAnyValue[] | null } | null;
  kvlistValue?: { values?: PbKeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}
export interface LongLike { low: number; high: number; unsigned?: boolean; toString(): string }
export interface PbResource { attributes?: PbKeyValue[] | null; droppedAttributesCount?: number | null; entityRefs?: unknown[] | null }
export interface PbScope { name?: string | null; version?: string | null; attributes?: PbKeyValue[] | null; droppedAttributesCount?: number | null }
export interface PbLogRecord {
  timeUnixNano?: number | LongLike | null;
  observedTimeUnixNano?: number | LongLike | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: PbAnyValue | null;
  attributes?: PbKeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  eventName?: string | null;
}
export interface PbScopeLogs { scope?: PbScope | null; logRecords?: PbLogRecord[] | null; schemaUrl?: string | null }
export interface PbResourceLogs { resource?: PbResource | null; scopeLogs?: PbScopeLogs[] | null; schemaUrl?: string | null }
export interface PbExportRequest { resourceLogs?: PbResourceLogs[] | null }

/**
 * Which member of AnyValue's oneof is set. Decoded protobufjs messages carry proto3 defaults ('' , false, 0)
 * on their prototype, so only an own property says a member was set.
 */
export function anyValueKind(value: PbAnyValue | null | undefined): keyof PbAnyValue | undefined {
  if (!value) return undefined;
  for (const key of ANY_VALUE_KEYS) if (Object.hasOwn(value, key) && value[key] != null) return key;
  return undefined;
}

const ANY_VALUE_KEYS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue'] as const;

/** Resources and scopes decoded, records read lazily (lazy_record.ts): what the chain never asks for is never built. */
export function decodeExportRequest(bytes: Uint8Array): PbExportRequest {
  return readExportRequest(bytes, REQUEST_TYPES);
}
const REQUEST_TYPES = { resource: ResourceType, scope: ScopeType };

/** Records decoded from protobuf go out as their bytes plus what was added (record_bytes.ts); others by protobufjs. */
export function encodeExportRequest(request: PbExportRequest): Uint8Array {
  if (!firstRecordReusable(request)) return ExportLogsServiceRequest.encode(request as protobuf.Message).finish();
  return encodeReusingRecords(request, FALLBACK_TYPES);
}

// A request's records come from one place (a request decoded, or JSON, or the store): the first says.
function firstRecordReusable(request: PbExportRequest): boolean {
  for (const rl of request.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) return reusableBytes(r, FALLBACK_TYPES) !== undefined;
  return false;
}

/** Replaces a record's body, its bytes kept where they can be. */
export { replaceBody } from './record_bytes.js';

/** A record's size in protobuf as received (`withAdded` false) or as logsift sends it (see record_bytes.ts). */
export function wireSize(record: PbLogRecord, withAdded: boolean): number {
  return recordWireSize(record, withAdded, FALLBACK_TYPES);
}

/**
 * A copy that reads as the original does, for a pipeline of its own: written and read back, so records read
 * lazily keep their attributes (a structured clone keeps own fields only, and theirs stay in their bytes).
 */
export function copyResourceLogs(resourceLogs: PbResourceLogs[]): PbResourceLogs[] {
  return decodeExportRequest(encodeExportRequest({ resourceLogs })).resourceLogs ?? [];
}

export function encodeExportResponse(rejected: number, errorMessage: string): Uint8Array {
  const body = rejected > 0 || errorMessage ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage } } : {};
  return ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(body)).finish();
}
