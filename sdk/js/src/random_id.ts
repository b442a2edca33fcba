// Random hex ids (an instance's suffix, a report's batch id) from crypto.getRandomValues: crypto.randomUUID
// exists only in secure contexts, and a page served over plain http is not one.
export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}
