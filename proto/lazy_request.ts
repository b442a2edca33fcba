// The export request read by hand (wire.ts): resources and scopes by protobufjs (one each per group), records
// lazily (lazy_record.ts). The result has the shape protobufjs's decoder gives, so every consumer reads it
// alike; what differs is what is built, and that records keep their bytes. Each reader below leaves the
// cursor at the end of the span it was given.
import type protobuf from 'protobufjs';
import { decodeInto, readRecord } from './lazy_record.js';
import type { PbExportRequest, PbLogRecord, PbResource, PbResourceLogs, PbScope, PbScopeLogs } from './otlp.js';
import { WIRE_LEN, position, readSpan, readString, readTag, seek, skipField } from './wire.js';

export interface RequestTypes {
  resource: protobuf.Type;
  scope: protobuf.Type;
}

export function readExportRequest(bytes: Uint8Array, types: RequestTypes): PbExportRequest {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const resourceLogs: PbResourceLogs[] = [];
  const end = buf.length;
  seek(0);
  while (position() < end) {
    const tag = readTag(buf, end);
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_LEN) {
      const start = readSpan(buf, end);
      resourceLogs.push(readResourceLogs(buf, start, position(), types));
    } else {
      skipField(buf, end, tag & 7);
    }
  }
  return { resourceLogs };
}

function readResourceLogs(buf: Buffer, start: number, end: number, types: RequestTypes): PbResourceLogs {
  const out: PbResourceLogs = { scopeLogs: [] };
  seek(start);
  while (position() < end) {
    const tag = readTag(buf, end);
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === WIRE_LEN && field === 1) {
      const from = readSpan(buf, end);
      const to = position();
      out.resource = (out.resource ? decodeInto(types.resource, buf, from, to, out.resource) : types.resource.decode(buf.subarray(from, to))) as PbResource;
    } else if (wire === WIRE_LEN && field === 2) {
      const from = readSpan(buf, end);
      out.scopeLogs!.push(readScopeLogs(buf, from, position(), types));
    } else if (wire === WIRE_LEN && field === 3) {
      out.schemaUrl = readString(buf, end);
    } else {
      skipField(buf, end, wire);
    }
  }
  return out;
}

function readScopeLogs(buf: Buffer, start: number, end: number, types: RequestTypes): PbScopeLogs {
  const logRecords: PbLogRecord[] = [];
  const out: PbScopeLogs = { logRecords };
  seek(start);
  while (position() < end) {
    const tag = readTag(buf, end);
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === WIRE_LEN && field === 2) {
      const from = readSpan(buf, end);
      logRecords.push(readRecord(buf, from, position()));
    } else if (wire === WIRE_LEN && field === 1) {
      const from = readSpan(buf, end);
      const to = position();
      out.scope = (out.scope ? decodeInto(types.scope, buf, from, to, out.scope) : types.scope.decode(buf.subarray(from, to))) as PbScope;
    } else if (wire === WIRE_LEN && field === 3) {
      out.schemaUrl = readString(buf, end);
    } else {
      skipField(buf, end, wire);
    }
  }
  return out;
}
