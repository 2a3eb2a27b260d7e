import { InputError } from '../errors.js';
import { normalCdf } from './special.js';

/** A z test's statistic and two-sided p-value. */
export interface ZTestResult {
  statistic: number;
  pValue: number;
}

function requireCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0)
    throw new InputError(`${name} is ${value}: it must be a whole number >= 0.`);
}

/**
 * The two-proportion z test as Evidently 0.7's z test computes it (stattests/z_stattest.py):
 * z = (pA - pB) / √(P (1 - P) (1/nA + 1/nB)) with the pooled P = (pA nA + pB nB) / (nA + nB), and
 * the two-sided p-value 2 (1 - Φ(|z|)) through norm.cdf, so p bottoms out at about 1e-16 as in
 * Evidently (statsmodels' proportions_ztest has the same statistic but uses norm.sf). When every
 * observation is in one class (P is 0 or 1, both samples the same single value) Evidently returns
 * p = 1 before computing; so do we, with statistic 0.
 */
export function twoProportionZ(successesA: number, totalA: number, successesB: number, totalB: number): ZTestResult {
  requireCount(successesA, 'successesA');
  requireCount(totalA, 'totalA');
  requireCount(successesB, 'successesB');
  requireCount(totalB, 'totalB');
  if (totalA === 0) throw new InputError('totalA is 0: a proportion needs at least one observation.');
  if (totalB === 0) throw new InputError('totalB is 0: a proportion needs at least one observation.');
  if (successesA > totalA) throw new InputError(`successesA (${successesA}) is larger than totalA (${totalA}).`);
  if (successesB > totalB) throw new InputError(`successesB (${successesB}) is larger than totalB (${totalB}).`);
  const pA = successesA / totalA;
  const pB = successesB / totalB;
  const pooled = (pA * totalA + pB * totalB) / (totalA + totalB);
  if ((successesA === 0 && successesB === 0) || (successesA === totalA && successesB === totalB)) {
    return { statistic: 0, pValue: 1 };
  }
  const statistic = (pA - pB) / Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  return { statistic, pValue: 2 * (1 - normalCdf(Math.abs(statistic))) };
}
