// A number in [0, 1) that is the same for every record of a trace, so sampling decisions made with it nest:
// a record kept at probability p is kept at every p' ≥ p, and a request's logs stay together.
export function traceUniform(traceId: Uint8Array): number {
  // W3C trace ids are random, but not every SDK's are: FNV-1a over the bytes mixes them either way.
  let hash = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) hash = Math.imul(hash ^ traceId[i]!, 0x01000193);
  return (hash >>> 0) / 4294967296;
}
