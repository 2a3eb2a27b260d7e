/**
 * The statistics the drift tests call, from src/core/stats (SciPy-exact), in one place so that
 * the tests below name each function once.
 */
export {
  ks2samp,
  chiSquareGoodnessOfFit,
  twoProportionZ,
  wassersteinDistance,
  jensenShannonDistance,
  populationStabilityIndex,
  klDivergence,
  hellingerDistance,
  andersonDarlingKSample,
  cramerVonMises2,
  energyDistance,
  studentTSf,
} from '../stats/index.js';
