/**
 * Drift statistics exact to SciPy 1.10 and Evidently 0.7 (docs/statistics.md). Samples are
 * ArrayLike<number> (Float64Array for large columns), unsorted, finite values only: callers drop
 * NaN and ±inf first. Bad input throws InputError naming the argument.
 */
export { ks2samp, KS_EXACT_MAX_N, type KsOptions, type KsResult } from './ks.js';
export { kolmogorovSf, smirnovSf } from './kolmogorov.js';
export {
  chiSquareGoodnessOfFit,
  chiSquareContingency,
  type ChiSquareResult,
  type ContingencyResult,
} from './chi-square.js';
export { andersonDarlingKSample, cramerVonMises2, type AndersonKSampleResult } from './k-sample.js';
export { welchTTest, mannWhitneyU, type TwoSampleResult, type WelchResult } from './location.js';
export { twoProportionZ, type ZTestResult } from './proportions.js';
export {
  wassersteinDistance,
  energyDistance,
  jensenShannonDistance,
  populationStabilityIndex,
  klDivergence,
  hellingerDistance,
  lInfinityDistance,
} from './distances.js';
export {
  logGamma,
  logBeta,
  regularizedGammaP,
  regularizedGammaQ,
  regularizedBetaI,
  erf,
  erfc,
  normalCdf,
  normalSf,
  chiSquareSf,
  studentTSf,
  besselK,
} from './special.js';
