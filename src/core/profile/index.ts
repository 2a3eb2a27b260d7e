/** Dataset profiles and starter expectation suites. */
export {
  profileDataset,
  starterSuite,
  roundOutward,
  PROFILE_QUANTILES,
  type ColumnProfileJson,
  type DatasetProfileJson,
  type ProfileOptions,
  type StarterExpectation,
  type StarterSuite,
} from './profile.js';
export { starterSuiteYaml } from './yaml.js';
