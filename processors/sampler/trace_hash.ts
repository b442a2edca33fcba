// A number in [0, 1) that is the same for every record of a trace, so sampling decisions made with it nest:
// a record kept at probability p is kept at every p' ≥ p, and a request's logs stay together.
export function traceUniform(traceIdHex: string): number {
  // The trace id is random by spec (W3C): its low 32 bits are already uniform; FNV mixes non-random ids.
  let hash = 0x811c9dc5;
  for (let i = 0; i < traceIdHex.length; i++) hash = Math.imul(hash ^ traceIdHex.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 4294967296;
}
