// What the miner sees of a record's body. A structured body (a map, or a string holding a JSON object) is
// signed by its message field plus its sorted key set, so `{"msg":"login","user":"a"}` and
// `{"msg":"login","user":"b"}` share a pattern while a different shape of event does not.
import type { AttributeValue } from '../../pipeline/any_value.js';
import type { LogRecordView } from '../../pipeline/batch.js';

const MESSAGE_KEYS = ['message', 'msg', 'log', 'event', 'body', 'text'];

type Structured = { [key: string]: AttributeValue };

function isStructured(value: unknown): value is Structured {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function structuredSignature(body: Structured): string {
  const message = MESSAGE_KEYS.map((k) => body[k]).find((v): v is string => typeof v === 'string') ?? '';
  const keys = Object.keys(body).sort().join(',');
  return message ? `${message} {${keys}}` : `{${keys}}`;
}

export function signatureText(record: LogRecordView): string {
  return bodySignature(record.body, () => record.bodyText);
}

/** What the miner sees of a body (a string, or a map); `text` renders any other kind. Shared with the SDKs. */
export function bodySignature(body: unknown, text: () => string): string {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (isStructured(parsed)) return structuredSignature(parsed as Structured);
      } catch {
        // Not JSON after all: mine it as text.
      }
    }
    return body;
  }
  if (isStructured(body)) return structuredSignature(body);
  return text();
}
