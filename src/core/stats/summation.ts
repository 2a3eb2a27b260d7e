/**
 * Sums with a compensation term (Neumaier's variant of Kahan summation): the error stays near one
 * rounding however many terms there are, so a million-term sum agrees with numpy's pairwise sum
 * to about 1e-15 relative.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  /** Adds one term. */
  add(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  /** The sum so far. */
  get value(): number {
    return this.sum + this.compensation;
  }
}

/** The compensated sum of an array. */
export function compensatedSum(values: ArrayLike<number>): number {
  const sum = new CompensatedSum();
  for (let i = 0; i < values.length; i++) sum.add(values[i]!);
  return sum.value;
}
