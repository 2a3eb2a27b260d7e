/**
 * The statistics the drift tests call, from src/core/stats (SciPy-exact), in one place so that
 * the tests below name each function once.
 */
export {
  ks2samp,
  chiSquareGoodnessOfFit,
  normalCdf,
  wassersteinDistance,
  jensenShannonDistance,
  klDivergence,
  andersonDarlingKSample,
  cramerVonMises2,
  energyDistance,
  welchTTest,
  mannWhitneyU,
} from './stats-stub.js';
