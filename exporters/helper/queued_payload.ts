// What a consumer sends: queued batches' records, as the protobuf bytes they were stored as (the persistent
// queue) or as decoded messages (the memory queue). Bytes go out as they are when the transport can take
// them — encoded OTLP requests concatenate into one request, since `resource_logs` is a repeated field — so
// a persisted batch is never decoded and encoded again; the messages are made only when needed (a split
// after 413, a transport that rewrites records).
import { decodeExportRequest, encodeExportRequest, type PbResourceLogs } from '../../proto/otlp.js';

export class QueuedPayload {
  #decoded: PbResourceLogs[] | undefined;
  #encoded: Uint8Array | undefined;

  private constructor(decoded: PbResourceLogs[] | undefined, encoded: Uint8Array | undefined) {
    this.#decoded = decoded;
    this.#encoded = encoded;
  }

  static decoded(resourceLogs: PbResourceLogs[]): QueuedPayload {
    return new QueuedPayload(resourceLogs, undefined);
  }

  /** Several stored requests as one. */
  static encoded(requests: readonly Uint8Array[]): QueuedPayload {
    return new QueuedPayload(undefined, requests.length === 1 ? requests[0]! : Buffer.concat(requests));
  }

  /** Whether the bytes exist already (sending them costs no encoding). */
  get isEncoded(): boolean {
    return this.#encoded !== undefined;
  }

  get resourceLogs(): PbResourceLogs[] {
    this.#decoded ??= decodeExportRequest(this.#encoded!).resourceLogs ?? [];
    return this.#decoded;
  }

  get bytes(): Uint8Array {
    this.#encoded ??= encodeExportRequest({ resourceLogs: this.#decoded! });
    return this.#encoded;
  }
}
