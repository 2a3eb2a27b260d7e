/** One point of a history chart. */
export interface HistoryPoint {
  /** x-axis label: `v3`, `PR`. */
  label: string;
  value: number;
}

/** Mermaid strings are double-quoted and cannot escape a quote: drop quotes and line breaks. */
export function quoted(text: string): string {
  return `"${text.replace(/["\r\n`]/g, "'").slice(0, 80)}"`;
}

/** A number Mermaid's parser accepts: plain decimal notation, six significant digits. */
export function plainNumber(value: number): string {
  const rounded = Number(value.toPrecision(6));
  const text = String(rounded);
  if (!text.includes('e')) return text;
  // toFixed switches to exponent notation itself from 1e21 up; whole numbers that large are exact in BigInt.
  if (Math.abs(rounded) >= 1e21) return BigInt(rounded).toString();
  return rounded.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** A y-axis range that frames the values with a little room, on round-ish numbers. */
export function axisRange(values: readonly number[]): [number, number] {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.05;
    return [roundDown(low - pad), roundUp(high + pad)];
  }
  const pad = (high - low) * 0.1;
  low -= pad;
  high += pad;
  return [roundDown(low), roundUp(high)];
}

function step(value: number): number {
  const magnitude = Math.abs(value) || 1;
  return 10 ** (Math.floor(Math.log10(magnitude)) - 2);
}

function roundDown(value: number): number {
  const s = step(value);
  return Number((Math.floor(value / s) * s).toPrecision(6));
}

function roundUp(value: number): number {
  const s = step(value);
  return Number((Math.ceil(value / s) * s).toPrecision(6));
}

/**
 * A GitHub-rendered line chart of a metric over registered versions (Mermaid `xychart-beta`).
 * GitHub renders Mermaid in comments itself: no image hosting, no third-party server.
 */
export function historyChart(metric: string, points: readonly HistoryPoint[]): string {
  const [low, high] = axisRange(points.map((p) => p.value));
  const labels = points.map((p) => quoted(p.label)).join(', ');
  const values = points.map((p) => plainNumber(p.value)).join(', ');
  return [
    '```mermaid',
    'xychart-beta',
    `  title ${quoted(`${metric} by model version`)}`,
    `  x-axis [${labels}]`,
    `  y-axis ${quoted(metric)} ${plainNumber(low)} --> ${plainNumber(high)}`,
    `  line [${values}]`,
    '```',
  ].join('\n');
}

/** One line of a step chart: a run's (or the baseline's) values of a metric by step. */
export interface StepSeries {
  label: string;
  points: ReadonlyArray<{ step: number; value: number }>;
}

/**
 * Line colours, in series order: xychart-beta draws no legend, so the text under the chart names
 * each line by its colour. Distinguishable in light and dark themes and for the common colour
 * blindnesses (Okabe-Ito).
 */
export const SERIES_COLOURS: ReadonlyArray<{ name: string; hex: string }> = [
  { name: 'blue', hex: '#0072B2' },
  { name: 'orange', hex: '#E69F00' },
  { name: 'green', hex: '#009E73' },
  { name: 'vermilion', hex: '#D55E00' },
  { name: 'sky blue', hex: '#56B4E9' },
  { name: 'purple', hex: '#CC79A7' },
  { name: 'yellow', hex: '#F0E442' },
  { name: 'black', hex: '#000000' },
];

/** Steps to draw: all of them, or `max` spread evenly from the first to the last. */
function chartSteps(steps: readonly number[], max: number): number[] {
  if (steps.length <= max) return [...steps];
  return Array.from({ length: max }, (_, i) => steps[Math.round((i * (steps.length - 1)) / (max - 1))]!);
}

/**
 * A series' value at each step up to its own last one: the last logged at or before it (the
 * first before it starts). Past its last step it has no value: xychart draws a shorter list as a
 * line that ends there, so a 20-epoch run is not drawn as if it had trained as long as the others.
 */
function valuesAt(points: StepSeries['points'], steps: readonly number[]): number[] {
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const last = sorted[sorted.length - 1]!.step;
  const out: number[] = [];
  let index = -1;
  for (const step of steps) {
    if (step > last) break;
    while (index + 1 < sorted.length && sorted[index + 1]!.step <= step) index++;
    out.push(sorted[Math.max(index, 0)]!.value);
  }
  return out;
}

/**
 * A line chart of a metric by step, one line per series (Mermaid `xychart-beta`, which GitHub
 * renders), with a legend line naming each line's colour. The x axis is the union of the series'
 * steps, cut to `maxPoints` evenly spread plus each series' last step; where a series logged
 * nothing at a step its previous value is drawn (before its first step, its first value), since
 * xychart lines cannot have gaps, and each line ends at its series' last step.
 * At most SERIES_COLOURS.length series are drawn; the legend says how many were left out.
 */
export function stepHistoryChart(metric: string, series: readonly StepSeries[], maxPoints = 50): string {
  const nonEmpty = series.filter((s) => s.points.length > 0);
  const drawn = nonEmpty.slice(0, SERIES_COLOURS.length);
  // Each series' last step is on the axis, so that its line ends exactly where its history does.
  const ends = drawn.map((s) => Math.max(...s.points.map((p) => p.step)));
  const steps = [
    ...new Set([
      ...chartSteps(
        [...new Set(drawn.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b),
        maxPoints,
      ),
      ...ends,
    ]),
  ].sort((a, b) => a - b);
  const lines = drawn.map((s) => valuesAt(s.points, steps));
  const [low, high] = axisRange(lines.flat());
  const palette = drawn.map((_, i) => SERIES_COLOURS[i]!.hex).join(', ');
  const legend = drawn.map((s, i) => `${SERIES_COLOURS[i]!.name}: ${s.label.replace(/[\r\n|<>]/g, ' ')}`);
  const hidden = nonEmpty.length - drawn.length;
  return [
    '```mermaid',
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title ${quoted(`${metric} by step`)}`,
    `  x-axis "step" [${steps.map((s) => quoted(String(s))).join(', ')}]`,
    `  y-axis ${quoted(metric)} ${plainNumber(low)} --> ${plainNumber(high)}`,
    ...lines.map((values) => `  line [${values.map(plainNumber).join(', ')}]`),
    '```',
    `<sub>${legend.join(' · ')}${hidden > 0 ? ` · ${hidden} more not drawn` : ''}</sub>`,
  ].join('\n');
}
