// A number in [0, 1) that is the same for every record of a trace, so sampling decisions made with it nest:
// a record kept at probability p is kept at every p' ≥ p, and a request's logs stay together.
export function traceUniform(traceId: Uint8Array): number {
  // W3C trace ids are random, but not every SDK's are, so the bytes are hashed rather than read.
  let hash = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) hash = Math.imul(hash ^ traceId[i]!, 0x01000193);
  // FNV alone lets ids that differ only in their last bytes land close together (sequential ids would be
  // kept or dropped in runs); MurmurHash3's finaliser spreads every input bit over the whole output.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4294967296;
}

/**
 * The draw a record's keep decision is made with: its trace id's, so a request's records are kept together —
 * or, without a trace, a fresh one. An id of zeros is no trace (W3C: invalid): SDKs send it for records
 * logged outside a span (the Python SDK before 1.26, Go auto-instrumentation), and hashing it would give all
 * of them one draw, keeping all or none.
 */
export function traceDraw(traceId: Uint8Array): number {
  for (let i = 0; i < traceId.length; i++) if (traceId[i] !== 0) return traceUniform(traceId);
  return Math.random();
}
