// A logging library's fields as OpenTelemetry attributes: scalars as they are, anything else as JSON (an
// attribute holds no nested objects); fields that cannot be turned into JSON are left out, never thrown.
import type { AnyValue } from '@opentelemetry/api-logs';

export function fieldsAsAttributes(fields: Record<string, unknown>, skip: ReadonlySet<string>): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (skip.has(key) || value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (value instanceof Error) out[key] = `${value.name}: ${value.message}`;
    else {
      try {
        out[key] = JSON.stringify(value);
      } catch {
        // A cycle, a BigInt: left out.
      }
    }
  }
  return out;
}
