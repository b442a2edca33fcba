// How numbers read on screen: grouped counts, binary-free byte units, dollars, shares and times.
const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const count = (n: number | null | undefined) => (n === null || n === undefined ? '—' : counts.format(n));

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

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
