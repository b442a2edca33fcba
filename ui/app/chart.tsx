// A time chart (uPlot: a few tens of kB, draws 10,000 points in a frame) and an inline SVG sparkline. Charts
// are labelled for screen readers with what they show; the figures themselves are in the tables beside them.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: ReadonlyArray<number | null>;
  colour: string;
  dash?: number[];
}

export function TimeChart(props: { title: string; times: readonly number[]; series: readonly Series[]; height?: number; format?: (n: number) => string; id?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((s) => s.label).join('|');
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const format = props.format;
    const options: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: props.height ?? 220,
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, ...(s.dash ? { dash: s.dash } : {}), ...(format ? { value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)) } : {}) }))],
      axes: [{}, { size: 70, ...(format ? { values: (_u: uPlot, ticks: number[]) => ticks.map(format) } : {}) }],
      scales: { x: { time: true } },
    };
    plot.current = new uPlot(options, [props.times.map((t) => t / 1000), ...props.series.map((s) => [...s.values])] as uPlot.AlignedData, el);
    const resize = () => plot.current?.setSize({ width: Math.max(300, el.clientWidth), height: props.height ?? 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);
  useEffect(() => {
    plot.current?.setData([props.times.map((t) => t / 1000), ...props.series.map((s) => [...s.values])] as uPlot.AlignedData);
  }, [props.times, props.series]);
  return (
    <figure class="chart" id={props.id}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={`${props.title}: ${props.series.map((s) => s.label).join(', ')} over time`} />
    </figure>
  );
}

export function Sparkline(props: { values: readonly number[]; label: string }) {
  const max = Math.max(1, ...props.values);
  const width = 96;
  const height = 24;
  const step = props.values.length > 1 ? width / (props.values.length - 1) : width;
  const points = props.values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg class="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}>
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}
