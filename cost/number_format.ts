// How figures read for people — in the terminal report, the HTML report and the web console (which bundles
// this file, so it imports nothing): grouped counts, shares, decimal byte units.
export const count = (n: number) => n.toLocaleString('en-US');

export const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
