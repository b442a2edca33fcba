// The export request read by hand (wire.ts): resources and scopes by protobufjs (one each per group), records
// lazily (lazy_record.ts). The result has the shape protobufjs's decoder gives, so every consumer reads it
// alike; what differs is what is built, and that records keep their bytes.
import type protobuf from 'protobufjs';
import { decodeInto, readRecord } from './lazy_record.js';
import type { PbExportRequest, PbLogRecord, PbResource, PbResourceLogs, PbScope, PbScopeLogs } from './otlp.js';
import { WIRE_LEN, WireReader } from './wire.js';

export interface RequestTypes {
  resource: protobuf.Type;
  scope: protobuf.Type;
}

export function readExportRequest(bytes: Uint8Array, types: RequestTypes): PbExportRequest {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const resourceLogs: PbResourceLogs[] = [];
  const r = new WireReader(buf, 0, buf.length);
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const start = r.span();
      resourceLogs.push(readResourceLogs(buf, start, r.pos, types));
    } else {
      r.skip(tag & 7);
    }
  }
  return { resourceLogs };
}

function readResourceLogs(buf: Buffer, start: number, end: number, types: RequestTypes): PbResourceLogs {
  const out: PbResourceLogs = { scopeLogs: [] };
  const r = new WireReader(buf, start, end);
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === WIRE_LEN && field === 1) {
      const from = r.span();
      out.resource = (out.resource ? decodeInto(types.resource, buf, from, r.pos, out.resource) : types.resource.decode(buf.subarray(from, r.pos))) as PbResource;
    } else if (wire === WIRE_LEN && field === 2) {
      const from = r.span();
      out.scopeLogs!.push(readScopeLogs(buf, from, r.pos, types));
    } else if (wire === WIRE_LEN && field === 3) {
      out.schemaUrl = r.string();
    } else {
      r.skip(wire);
    }
  }
  return out;
}

function readScopeLogs(buf: Buffer, start: number, end: number, types: RequestTypes): PbScopeLogs {
  const logRecords: PbLogRecord[] = [];
  const out: PbScopeLogs = { logRecords };
  const r = new WireReader(buf, start, end);
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === WIRE_LEN && field === 2) {
      const from = r.span();
      logRecords.push(readRecord(buf, from, r.pos));
    } else if (wire === WIRE_LEN && field === 1) {
      const from = r.span();
      out.scope = (out.scope ? decodeInto(types.scope, buf, from, r.pos, out.scope) : types.scope.decode(buf.subarray(from, r.pos))) as PbScope;
    } else if (wire === WIRE_LEN && field === 3) {
      out.schemaUrl = r.string();
    } else {
      r.skip(wire);
    }
  }
  return out;
}
