/**
 * A metric value for people: six significant digits, trailing zeros dropped, exponent notation
 * only for very small or very large magnitudes. Deterministic across platforms.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e12) {
    const [mantissa, exponent] = value.toExponential(3).split('e');
    return `${String(Number(mantissa))}e${exponent}`;
  }
  return String(Number(value.toPrecision(6)));
}

/** A signed difference: `+0.012`, `-3`, `0`. */
export function formatSigned(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

/** A signed percentage with two decimals: `+1.25%`. */
export function formatPercent(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+∞%' : value < 0 ? '-∞%' : 'n/a';
  const rounded = Math.abs(value) >= 1000 ? value.toFixed(0) : value.toFixed(2);
  const text = Number(rounded) === 0 ? '0.00' : rounded;
  return `${value > 0 && Number(rounded) !== 0 ? '+' : ''}${text}%`;
}
