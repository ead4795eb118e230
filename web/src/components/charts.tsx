// Charts drawn as SVG by Chartist: a line chart (the on-time trend) and a bar chart (the
// distributions). Each is a figure with a caption; the drawing is one image to assistive
// technology (role="img", an aria-label that says what it shows), followed by the same numbers as
// a table, whose buttons are the keyboard's way to what a click on a bar or a week does.
import { BarChart, LineChart, type BarChartOptions, type LineChartOptions } from 'chartist';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useText } from '../i18n';

export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

interface ChartProps {
  id: string;
  kind: 'line' | 'bar';
  title: string;
  /** What the chart shows, in a sentence or two: its accessible name. */
  summary: string;
  labels: string[];
  series: ChartSeries[];
  /** The value axis' upper end (100 for percentages); otherwise from the data. */
  high?: number;
  /** The value axis' labels ("50 %"). */
  formatValue?: (value: number) => string;
  /** A click on a bar, or anywhere over a label's column of a line chart, selects that label's index. */
  onSelect?: (index: number) => void;
  selected?: number | null;
  /** The chart's numbers as a table (shown on request). */
  table: ComponentChildren;
}

const TEXT = {
  en: { dataTable: 'Show the numbers as a table', legend: 'Legend' },
  de: { dataTable: 'Zahlen als Tabelle zeigen', legend: 'Legende' },
};

const SERIES_CLASSES = ['a', 'b', 'c', 'd'];

export function Chart({ id, kind, title, summary, labels, series, high, formatValue, onSelect, selected, table }: ChartProps) {
  const text = useText(TEXT);
  const canvas = useRef<HTMLDivElement>(null);
  /** The x position (in the SVG) of each label's bar or points, as last drawn. */
  const positions = useRef<number[]>([]);
  const select = useRef(onSelect);
  select.current = onSelect;
  const data = { labels, series: series.map((s) => ({ name: s.name, data: s.values })) };
  const key = JSON.stringify([kind, data, high, selected]);

  useEffect(() => {
    const container = canvas.current;
    if (!container) return;
    const axisY = { onlyInteger: true, labelInterpolationFnc: (value: string | number) => (formatValue ? formatValue(Number(value)) : value) };
    const common = { height: '220px', chartPadding: { top: 16, right: 16, bottom: 4, left: 8 }, axisY: { ...axisY, offset: formatValue ? 48 : 32 } };
    const chart =
      kind === 'line'
        ? new LineChart(container, data, { ...common, low: 0, ...(high !== undefined ? { high } : {}), lineSmooth: false, showArea: false } as LineChartOptions)
        : new BarChart(container, data, { ...common, ...(high !== undefined ? { high } : {}), axisX: { showGrid: false } } as BarChartOptions);
    positions.current = [];
    chart.on('draw', (event: { type: string; index: number; x?: number; x1?: number; element: { addClass(name: string): unknown } }) => {
      if (event.type !== 'point' && event.type !== 'bar') return;
      const x = event.type === 'point' ? event.x : event.x1;
      if (x !== undefined) positions.current[event.index] = x;
      if (select.current) event.element.addClass('ct-clickable');
      if (selected === event.index) event.element.addClass('ct-selected');
    });
    chart.on('created', () => {
      container.querySelector('svg')?.setAttribute('aria-hidden', 'true');
    });
    return () => {
      chart.detach();
      container.replaceChildren();
    };
  }, [key]);

  const onClick = (event: MouseEvent) => {
    const svg = canvas.current?.querySelector('svg');
    if (!select.current || !svg || !positions.current.length) return;
    const x = event.clientX - svg.getBoundingClientRect().left;
    let nearest = -1;
    positions.current.forEach((position, index) => {
      if (position === undefined) return;
      if (nearest < 0 || Math.abs(position - x) < Math.abs(positions.current[nearest] - x)) nearest = index;
    });
    if (nearest >= 0) select.current(nearest);
  };

  return (
    <figure class={`chart chart-${kind}`} id={id}>
      <figcaption>{title}</figcaption>
      {/* Pointer only: the table below offers the same with the keyboard. */}
      <div ref={canvas} class={`chart-canvas${onSelect ? ' selectable' : ''}`} role="img" aria-label={summary} onClick={onClick} />
      {kind === 'line' && series.length > 1 && (
        <ul class="chart-legend" aria-label={text.legend}>
          {series.map((s, index) => (
            <li key={s.name} class={`ct-series-${SERIES_CLASSES[index]}`}>
              <svg width="28" height="10" aria-hidden="true">
                <line class="ct-line" x1="2" y1="5" x2="26" y2="5" />
              </svg>
              {s.name}
            </li>
          ))}
        </ul>
      )}
      <details class="chart-data">
        <summary>{text.dataTable}</summary>
        {table}
      </details>
    </figure>
  );
}
