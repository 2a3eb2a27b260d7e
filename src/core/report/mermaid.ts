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
