// What leaves the process in a prompt is masked first: log text is attacker-controlled and may carry personal
// data or secrets even after pattern mining (a constant email in every line stays in the template). Masks
// replace whole matches with a typed placeholder, so the model still sees the line's shape.
const MASKS: ReadonlyArray<[RegExp, string]> = [
  // Secrets in key=value / key: value form, whatever the value looks like.
  [/\b(pass(?:word|wd)?|secret|token|api[_-]?key|apikey|authorization|auth|session|cookie|credentials?)(["']?\s*[=:]\s*["']?)(?:bearer\s+)?[^\s"',;&]+/gi, '$1$2<secret>'],
  [/\bbearer\s+[A-Za-z0-9._~+/-]+=*/gi, 'Bearer <secret>'],
  // JSON Web Tokens: three base64url parts.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '<jwt>'],
  // Vendor-style keys: sk-..., phc_..., ghp_..., AKIA...
  [/\b(?:sk|pk|rk|phc|phx|ghp|gho|ghs|xox[abp])[-_][A-Za-z0-9_-]{8,}/g, '<secret>'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '<secret>'],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<ip>'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b/gi, '<ip>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // Card-like and phone-like digit runs.
  [/\b(?:\d[ -]?){13,19}\b/g, '<number>'],
  // Long opaque tokens: hex, or letters and digits mixed, 20 characters or more.
  [/\b[0-9a-f]{16,}\b/gi, '<hex>'],
  [/\b(?=[A-Za-z0-9_+/-]*\d)(?=[A-Za-z0-9_+/-]*[A-Za-z])[A-Za-z0-9_+/-]{20,}=*/g, '<token>'],
];

// Control characters and anything that could read as a fence or a role marker to the model.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

export function redact(text: string): string {
  let out = text.replace(CONTROL, ' ');
  for (const [pattern, replacement] of MASKS) out = out.replace(pattern, replacement);
  return out;
}

/** Redacted, on one line, at most `max` characters. */
export function redactLine(text: string, max: number): string {
  const line = redact(text).replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
