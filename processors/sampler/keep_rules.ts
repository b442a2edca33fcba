// Keep rules on attributes (`http.status_code >= 500`), compiled once per policy into predicates.
import type { AttributeValue } from '../../pipeline/any_value.js';
import type { KeepRule } from '../../policy/policy.js';

export type AttributeReader = (key: string) => AttributeValue | undefined;
export type RecordPredicate = (read: AttributeReader) => boolean;

function compare(op: KeepRule['op'], actual: AttributeValue | undefined, expected: KeepRule['value']): boolean {
  if (actual === undefined || actual === null) return false;
  const a = typeof actual === 'bigint' ? Number(actual) : actual;
  // Numbers compare as numbers even when one side arrived as a string ("500").
  const numeric = typeof expected === 'number' && (typeof a === 'number' || (typeof a === 'string' && a.trim() !== '' && !Number.isNaN(Number(a))));
  const left = numeric ? Number(a) : a;
  switch (op) {
    case '==':
      return numeric ? left === expected : String(left) === String(expected);
    case '!=':
      return numeric ? left !== expected : String(left) !== String(expected);
    case '>':
      return numeric && (left as number) > (expected as number);
    case '>=':
      return numeric && (left as number) >= (expected as number);
    case '<':
      return numeric && (left as number) < (expected as number);
    case '<=':
      return numeric && (left as number) <= (expected as number);
    default:
      return false;
  }
}

export function compileKeepRules(rules: readonly KeepRule[]): RecordPredicate {
  const predicates: RecordPredicate[] = rules.map((rule) => {
    if (rule.op === 'exists') return (read) => read(rule.attribute) !== undefined;
    if (rule.op === 'matches') {
      const pattern = new RegExp(String(rule.value));
      return (read) => {
        const v = read(rule.attribute);
        return v !== undefined && v !== null && pattern.test(typeof v === 'string' ? v : String(v));
      };
    }
    return (read) => compare(rule.op, read(rule.attribute), rule.value);
  });
  return (read) => predicates.some((p) => p(read));
}
