// What the redactor's first look says of a record's attributes as a whole (the processor asks attribute by
// attribute): whether any of them needs the full look.
import type { ArrivedBytes } from '../../pipeline/batch.js';
import type { Redactor } from '../../processors/redact/redactor.js';

export function anyAttributeFlagged(redactor: Redactor, arrived: ArrivedBytes): boolean {
  for (let index = 0; index < arrived.keys.length / 3; index++) if (redactor.arrivedAttribute(arrived, index) !== 0) return true;
  return false;
}
