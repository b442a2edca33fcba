// The one batch type processors and exporters see. It wraps decoded OTLP messages behind accessors so a
// later zero-copy path (raw record bytes plus appended attributes) can replace the storage without
// touching a processor.
import type { Ack } from './ack.js';
import { anyValueToText, fromAnyValue, fromKeyValues, toAnyValue, type AttributeValue } from './any_value.js';
import {
  encodeExportRequest,
  replaceBody,
  wireSize,
  type LongLike,
  type PbExportRequest,
  type PbKeyValue,
  type PbLogRecord,
  type PbResource,
  type PbResourceLogs,
  type PbScope,
  type PbScopeLogs,
} from '../proto/otlp.js';
import { addLazyAttribute, arrivedAttribute, lazyAttribute, recordBytes, replaceArrivedAttribute } from '../proto/lazy_record.js';
import { detachFromRequest, markEdited } from '../proto/record_bytes.js';

/** An OTLP attribute list read and written by key. */
export interface Attributes {
  get(key: string): AttributeValue | undefined;
  has(key: string): boolean;
  set(key: string, value: AttributeValue): void;
  /** Removes an attribute (no-op when absent). */
  delete(key: string): void;
  /** Sets an attribute built once for many records (see PresetAttribute): nothing is built per record. */
  setPreset(preset: PresetAttribute): void;
  readonly size: number;
  toObject(): { [key: string]: AttributeValue };
}

/**
 * An attribute made once and set on many records — a pattern's id on every record of the pattern. Its
 * key/value is shared by those records, so no attribute list ever changes a key/value in place: a new value
 * replaces the pair (frozen, so a change in place would fail loudly rather than touch other records).
 */
export class PresetAttribute {
  readonly kv: Readonly<PbKeyValue>;
  constructor(
    readonly key: string,
    readonly value: AttributeValue,
  ) {
    this.kv = Object.freeze({ key, value: Object.freeze(toAnyValue(value)) });
  }
}

/** Over a list of key/values: resources, scopes, and records that were not read from protobuf. */
class ListAttributes implements Attributes {
  constructor(private readonly list: PbKeyValue[]) {}

  get(key: string): AttributeValue | undefined {
    for (const kv of this.list) if (kv.key === key) return fromAnyValue(kv.value);
    return undefined;
  }

  has(key: string): boolean {
    return this.list.some((kv) => kv.key === key);
  }

  set(key: string, value: AttributeValue): void {
    this.#put({ key, value: toAnyValue(value) });
  }

  setPreset(preset: PresetAttribute): void {
    this.#put(preset.kv);
  }

  delete(key: string): void {
    const i = this.list.findIndex((kv) => kv.key === key);
    if (i >= 0) this.list.splice(i, 1);
  }

  #put(kv: PbKeyValue): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.key === kv.key) {
        list[i] = kv;
        return;
      }
    }
    list.push(kv);
  }

  get size(): number {
    return this.list.length;
  }

  toObject(): { [key: string]: AttributeValue } {
    return fromKeyValues(this.list);
  }
}

/**
 * Over a record read from protobuf (proto/lazy_record.ts): a lookup reads the one value asked for, an added
 * attribute waits beside the record's bytes, a replaced or removed one it arrived with goes out in its old
 * field's place; only a whole-list read builds the list — after which a change makes the record encoded
 * field by field.
 */
class RecordAttributes implements Attributes {
  constructor(private readonly record: PbLogRecord) {}

  get(key: string): AttributeValue | undefined {
    const found = lazyAttribute(this.record, key);
    return found.found ? fromAnyValue(found.value) : undefined;
  }

  has(key: string): boolean {
    return lazyAttribute(this.record, key).found;
  }

  set(key: string, value: AttributeValue): void {
    this.#put({ key, value: toAnyValue(value) });
  }

  setPreset(preset: PresetAttribute): void {
    this.#put(preset.kv);
  }

  delete(key: string): void {
    const found = lazyAttribute(this.record, key);
    if (!found.found) return;
    // One it arrived with, the list not built: its field goes out as nothing.
    if (found.index >= 0) {
      replaceArrivedAttribute(this.record, found.index, null);
      return;
    }
    // Reading the list builds it; from then on the list is the truth, encoded field by field.
    const list = this.record.attributes!;
    const i = list.findIndex((kv) => kv.key === key);
    if (i >= 0) list.splice(i, 1);
    markEdited(this.record);
  }

  #put(kv: PbKeyValue): void {
    const found = lazyAttribute(this.record, kv.key);
    if (!found.found) {
      addLazyAttribute(this.record, kv);
      return;
    }
    // One it arrived with, the list not built: the new field goes out in the old one's place.
    if (found.index >= 0) {
      replaceArrivedAttribute(this.record, found.index, kv);
      return;
    }
    const list = this.record.attributes!;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.key !== kv.key) continue;
      list[i] = kv;
      markEdited(this.record);
      return;
    }
  }

  get size(): number {
    return this.record.attributes!.length;
  }

  toObject(): { [key: string]: AttributeValue } {
    return fromKeyValues(this.record.attributes!);
  }
}

function ensureList<T extends { attributes?: PbKeyValue[] | null }>(holder: T): PbKeyValue[] {
  if (!holder.attributes) holder.attributes = [];
  return holder.attributes;
}

function longToBigInt(v: number | LongLike | null | undefined): bigint {
  if (v == null) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

const EMPTY_BYTES = new Uint8Array(0);

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length > 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') : '';
}

export class ResourceView {
  readonly attributes: Attributes;
  constructor(resource: PbResource) {
    this.attributes = new ListAttributes(ensureList(resource));
  }
  get serviceName(): string | undefined {
    const name = this.attributes.get('service.name');
    return typeof name === 'string' ? name : undefined;
  }
}

export class ScopeView {
  readonly attributes: Attributes;
  constructor(private readonly scope: PbScope) {
    this.attributes = new ListAttributes(ensureList(scope));
  }
  get name(): string {
    return this.scope.name ?? '';
  }
  get version(): string {
    return this.scope.version ?? '';
  }
}

export class LogRecordView {
  readonly attributes: Attributes;
  constructor(private readonly record: PbLogRecord) {
    this.attributes = recordBytes(record) ? new RecordAttributes(record) : new ListAttributes(ensureList(record));
  }
  get body(): AttributeValue {
    return fromAnyValue(this.record.body);
  }
  /** The body as text: strings verbatim, structured bodies as JSON. */
  get bodyText(): string {
    return anyValueToText(this.record.body);
  }
  /**
   * The record's bytes as they arrived, while nothing in them was changed or added: `buf` holds its
   * attributes from the first key to `attrTo` — `keys` has three numbers an attribute: where its key starts
   * and ends, and where its value starts (−1: none) — and, when the body is a lone string, its text in
   * [bodyFrom, bodyTo) (bodyFrom −1 otherwise). For a first look at a record without decoding it.
   */
  get arrived(): ArrivedBytes | undefined {
    const state = recordBytes(this.record);
    if (!state?.raw || state.list || state.added.length > 0 || state.edited || state.bodyReplaced || state.replaced) return undefined;
    return state;
  }
  /** The `index`th attribute it arrived with (ArrivedBytes.keys), decoded alone, as it stands now (`key`: its key, if known). */
  arrivedAttribute(index: number, key?: string): { key: string; value: AttributeValue } | undefined {
    const kv = arrivedAttribute(this.record, index, key);
    return kv === null ? undefined : { key: kv.key, value: fromAnyValue(kv.value) };
  }
  /**
   * Replaces that attribute's value (undefined: removes it); it goes out in the old field's place (by its
   * key instead, should the whole list have been read since).
   */
  replaceArrivedAttribute(index: number, key: string, value: AttributeValue | undefined): void {
    if (replaceArrivedAttribute(this.record, index, value === undefined ? null : { key, value: toAnyValue(value) })) return;
    if (value === undefined) this.attributes.delete(key);
    else this.attributes.set(key, value);
  }
  /** Replaces the body (a record read from protobuf goes out as its bytes with the new body in the old one's place). */
  setBody(value: AttributeValue): void {
    replaceBody(this.record, toAnyValue(value));
  }
  get severityNumber(): number {
    return this.record.severityNumber ?? 0;
  }
  get severityText(): string {
    return this.record.severityText ?? '';
  }
  get timeUnixNano(): bigint {
    return longToBigInt(this.record.timeUnixNano);
  }
  get observedTimeUnixNano(): bigint {
    return longToBigInt(this.record.observedTimeUnixNano);
  }
  /** Lower-case hex, '' when absent. */
  get traceId(): string {
    return hex(this.record.traceId);
  }
  /** The trace id's bytes (empty when absent), for hashing without building the hex string. */
  get traceIdBytes(): Uint8Array {
    return this.record.traceId ?? EMPTY_BYTES;
  }
  get spanId(): string {
    return hex(this.record.spanId);
  }
  get flags(): number {
    return this.record.flags ?? 0;
  }
  /** Its size in protobuf as it arrived: what a backend billing bytes ingested would have been sent. */
  get receivedBytes(): number {
    return wireSize(this.record, false);
  }
  /** Its size in protobuf as logsift sends it, with the attributes added to it. */
  get sentBytes(): number {
    return wireSize(this.record, true);
  }
  get eventName(): string {
    return this.record.eventName ?? '';
  }
}

/** What LogRecordView.arrived shows of a record's bytes. */
export interface ArrivedBytes {
  readonly buf: Buffer;
  readonly keys: readonly number[];
  readonly attrTo: number;
  readonly bodyFrom: number;
  readonly bodyTo: number;
}

/** A dropped record held with its resource and scope (opaque), so it can be re-emitted later. */
export interface HeldRecord {
  readonly resource: PbResource;
  readonly scope: PbScope;
  readonly record: PbLogRecord;
}

/** A held record kept past its request lets go of the request's bytes (a request is large, a record small). */
export function detachHeld(held: HeldRecord): void {
  detachFromRequest(held.record);
}

/** One resource + scope and the records under it. */
export interface RecordGroup {
  readonly resource: ResourceView;
  readonly scope: ScopeView;
  readonly records: readonly LogRecordView[];
}

export class LogBatch {
  readonly recordCount: number;

  /**
   * @param sizeBytes the records' size on the wire as received (protobuf or JSON, decompressed); queues
   *   bound their memory by it. Batches derived by filtering carry a proportional share.
   * @param roomReserved the exporters' queues promised room for these records when their request was
   *   admitted (Exporter.reserve); batches derived from it keep the promise, records re-emitted later do not.
   */
  constructor(
    private readonly resourceLogs: PbResourceLogs[],
    readonly ack: Ack,
    readonly sizeBytes: number,
    readonly roomReserved = false,
  ) {
    let count = 0;
    for (const rl of resourceLogs) for (const sl of rl.scopeLogs ?? []) count += sl.logRecords?.length ?? 0;
    this.recordCount = count;
  }

  /** Without a known size, the protobuf encoding is measured. */
  static fromRequest(request: PbExportRequest, ack: Ack, sizeBytes = encodeExportRequest(request).byteLength): LogBatch {
    return new LogBatch(request.resourceLogs ?? [], ack, sizeBytes);
  }

  // The views over this batch's records, made once: every processor in the chain reads the same batch.
  #slots: Array<{ group: RecordGroup; rl: PbResourceLogs; sl: PbScopeLogs }> | undefined;

  #memo(): Array<{ group: RecordGroup; rl: PbResourceLogs; sl: PbScopeLogs }> {
    if (this.#slots) return this.#slots;
    const slots: Array<{ group: RecordGroup; rl: PbResourceLogs; sl: PbScopeLogs }> = [];
    for (const rl of this.resourceLogs) {
      if (!rl.resource) rl.resource = {};
      const resource = new ResourceView(rl.resource);
      for (const sl of rl.scopeLogs ?? []) {
        if (!sl.scope) sl.scope = {};
        slots.push({ rl, sl, group: { resource, scope: new ScopeView(sl.scope), records: (sl.logRecords ?? []).map((r) => new LogRecordView(r)) } });
      }
    }
    this.#slots = slots;
    return slots;
  }

  *groups(): IterableIterator<RecordGroup> {
    for (const slot of this.#memo()) yield slot.group;
  }

  /**
   * A batch of the records `keep` accepts, carrying the same ack; empty groups are left out. `onDropped`
   * receives each refused record held for a possible later re-emission.
   */
  filter(keep: (record: LogRecordView, group: RecordGroup) => boolean, onDropped?: (held: HeldRecord, record: LogRecordView, group: RecordGroup) => void): LogBatch {
    const kept: PbResourceLogs[] = [];
    let keptCount = 0;
    let current: { source: PbResourceLogs; out: PbResourceLogs } | undefined;
    for (const { rl, sl, group } of this.#memo()) {
      const source = sl.logRecords ?? [];
      const records: PbLogRecord[] = [];
      group.records.forEach((view, i) => {
        if (keep(view, group)) records.push(source[i]!);
        else onDropped?.({ resource: rl.resource!, scope: sl.scope!, record: source[i]! }, view, group);
      });
      if (records.length === 0) continue;
      keptCount += records.length;
      if (current?.source !== rl) {
        current = { source: rl, out: { ...rl, scopeLogs: [] } };
        kept.push(current.out);
      }
      current.out.scopeLogs!.push({ ...sl, logRecords: records });
    }
    return new LogBatch(kept, this.ack, this.recordCount === 0 ? 0 : Math.round((this.sizeBytes * keptCount) / this.recordCount), this.roomReserved);
  }

  /** Held records as a batch again (records sharing a resource and scope are grouped back together). */
  static fromHeld(held: readonly HeldRecord[], ack: Ack): LogBatch {
    const resourceLogs: PbResourceLogs[] = [];
    for (const h of held) {
      let rl = resourceLogs.find((x) => x.resource === h.resource);
      if (!rl) resourceLogs.push((rl = { resource: h.resource, scopeLogs: [] }));
      let sl = rl.scopeLogs!.find((x) => x.scope === h.scope);
      if (!sl) rl.scopeLogs!.push((sl = { scope: h.scope, logRecords: [] }));
      sl.logRecords!.push(h.record);
    }
    return new LogBatch(resourceLogs, ack, 0);
  }

  /** One batch of several batches' records, in order, carried by `ack`. */
  static merge(batches: readonly LogBatch[], ack: Ack): LogBatch {
    return new LogBatch(batches.flatMap((b) => b.resourceLogs), ack, batches.reduce((n, b) => n + b.sizeBytes, 0), batches.every((b) => b.roomReserved));
  }

  /** For codecs only (exporters, the file format); processors use groups(). */
  toExportRequest(): PbExportRequest {
    return { resourceLogs: this.resourceLogs };
  }
}
