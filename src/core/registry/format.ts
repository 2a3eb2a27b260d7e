/** Plain-text rendering for the registry and runs commands. */

/** Display width of a string (code points; good enough for names, numbers and dates). */
function width(text: string): number {
  return [...text].length;
}

/**
 * An aligned text table: a header row, a rule, then the rows. Columns listed in `right` are
 * right-aligned (numbers).
 */
export function textTable(headers: string[], rows: string[][], options: { right?: number[] } = {}): string {
  const widths = headers.map((header, i) => Math.max(width(header), ...rows.map((row) => width(row[i] ?? ''))));
  const right = new Set(options.right ?? []);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - width(cell));
        return right.has(i) ? pad + cell : i === cells.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return (
    [
      line(headers),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map((row) => line(headers.map((_, i) => row[i] ?? ''))),
    ].join('\n') + '\n'
  );
}

/** A number as the tables show it: up to 6 significant digits, no exponent for ordinary values. */
export function formatValue(value: number | undefined): string {
  if (value === undefined) return '-';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

/** A signed difference: `+0.012`, `-3`. */
export function formatDelta(value: number | undefined): string {
  if (value === undefined) return '';
  if (value === 0) return '0';
  return (value > 0 ? '+' : '') + formatValue(value);
}

/** `1h 02m`, `3m 05s`, `12.5s`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** An ISO time shortened to minutes in UTC: `2024-05-01 12:34Z`. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}Z` : iso;
}
