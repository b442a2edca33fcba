// Charts drawn as SVG text when the report is written: a page that needs no script, no network and no
// library to show them, opened anywhere (a mail attachment, an air-gapped laptop). Two kinds are enough:
// lines over time and horizontal bars.

export interface Line {
  label: string;
  color: string;
  values: readonly number[];
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 64, right: 16, top: 12, bottom: 28 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Lines over the same times (ms), sharing one y axis from 0 to their maximum; `format` labels the axis. */
export function lineChart(times: readonly number[], lines: readonly Line[], format: (n: number) => string): string {
  const max = Math.max(1e-9, ...lines.flatMap((l) => l.values));
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? first + 1;
  const x = (t: number) => PAD.left + ((t - first) / Math.max(1, last - first)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const paths = lines.map((l) => {
    const d = l.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]!).toFixed(1)},${y(v).toFixed(1)}`).join('');
    return `<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"><title>${escapeXml(l.label)}</title></path>`;
  });
  const label = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  const legend = lines.map((l, i) => `<text x="${PAD.left + 8 + i * 160}" y="${PAD.top + 10}" fill="${l.color}" font-size="11">■ ${escapeXml(l.label)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#999"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#999"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end" font-size="10">${escapeXml(format(max))}</text>`,
    `<text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" text-anchor="end" font-size="10">0</text>`,
    `<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="10">${label(first)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end" font-size="10">${label(last)}</text>`,
    ...paths,
    ...legend,
    '</svg>',
  ].join('');
}

export interface Bar {
  label: string;
  /** Segments drawn one after another along the bar. */
  segments: ReadonlyArray<{ value: number; color: string; title: string }>;
}

/** Horizontal bars, one a row, their segments stacked, scaled to the longest. */
export function barChart(bars: readonly Bar[], format: (n: number) => string): string {
  const rowHeight = 22;
  const labelWidth = 300;
  const height = PAD.top + bars.length * rowHeight + 8;
  const max = Math.max(1e-9, ...bars.map((b) => b.segments.reduce((n, s) => n + s.value, 0)));
  const scale = (v: number) => (v / max) * (WIDTH - labelWidth - PAD.right - 70);
  const rows = bars.map((b, i) => {
    const top = PAD.top + i * rowHeight;
    let at = labelWidth;
    const rects = b.segments.map((s) => {
      const w = scale(s.value);
      const rect = `<rect x="${at.toFixed(1)}" y="${top}" width="${Math.max(0, w).toFixed(1)}" height="${rowHeight - 6}" fill="${s.color}"><title>${escapeXml(s.title)}</title></rect>`;
      at += w;
      return rect;
    });
    const total = b.segments.reduce((n, s) => n + s.value, 0);
    const text = b.label.length > 46 ? `${b.label.slice(0, 45)}…` : b.label;
    return `<text x="${labelWidth - 6}" y="${top + rowHeight - 10}" text-anchor="end" font-size="11"><title>${escapeXml(b.label)}</title>${escapeXml(text)}</text>${rects.join('')}<text x="${(at + 4).toFixed(1)}" y="${top + rowHeight - 10}" font-size="10">${escapeXml(format(total))}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img">${rows.join('')}</svg>`;
}
