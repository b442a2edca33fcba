// How numbers read on screen: the reports' formats (cost/number_format.ts) with a dash for what is missing,
// dollars to the cent (to the hundredth of a cent below one), and times in UTC.
import * as shared from '../../cost/number_format.js';

const orDash = <T>(format: (n: T) => string) => (n: T | null | undefined) => (n === null || n === undefined ? '—' : format(n));

export const count = orDash(shared.count);
export const bytes = orDash(shared.bytes);

export function money(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n !== 0 && Math.abs(n) < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

export const percent = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '—' : `${(n * 100).toFixed(digits)}%`);

export function time(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '—' : d.toISOString().replace('T', ' ').slice(0, 19);
}
