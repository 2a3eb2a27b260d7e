// TEMPORARY stand-in for src/core/stats (branch `stats`), deleted when that branch is merged.
/* eslint-disable */
export interface TestResult {
  statistic: number;
  pValue: number;
}
const notYet = (name: string): never => {
  throw new Error(`${name}: src/core/stats not merged yet`);
};
export function ks2samp(_a: ArrayLike<number>, _b: ArrayLike<number>): TestResult {
  return notYet('ks2samp');
}
export function chiSquareGoodnessOfFit(_observed: ArrayLike<number>, _expected: ArrayLike<number>): TestResult {
  return notYet('chiSquareGoodnessOfFit');
}
export function normalCdf(x: number): number {
  // Abramowitz-Stegun 7.1.26 (stub only)
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  const all = Float64Array.from([...a, ...b]).sort();
  let i = 0,
    j = 0,
    total = 0;
  for (let k = 0; k < all.length - 1; k++) {
    while (i < a.length && a[i]! <= all[k]!) i++;
    while (j < b.length && b[j]! <= all[k]!) j++;
    total += Math.abs(i / a.length - j / b.length) * (all[k + 1]! - all[k]!);
  }
  return total;
}
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0,
    sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp,
      b = q[i]! / sq,
      m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  return Math.sqrt(js / 2);
}
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0,
    sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp,
      b = q[i]! / sq;
    if (a > 0) kl += a * Math.log(a / b);
  }
  return kl;
}
export function andersonDarlingKSample(_samples: ArrayLike<number>[]): { statistic: number; pValue: number } {
  return notYet('andersonDarlingKSample');
}
export function cramerVonMises2(_a: ArrayLike<number>, _b: ArrayLike<number>): TestResult {
  return notYet('cramerVonMises2');
}
export function energyDistance(_a: ArrayLike<number>, _b: ArrayLike<number>): number {
  return notYet('energyDistance');
}
export function welchTTest(_a: ArrayLike<number>, _b: ArrayLike<number>): TestResult {
  return notYet('welchTTest');
}
export function mannWhitneyU(_a: ArrayLike<number>, _b: ArrayLike<number>): TestResult {
  return notYet('mannWhitneyU');
}
