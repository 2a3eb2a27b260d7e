/**
 * Column drift as Evidently 0.7 computes it by default, over mergeable reference profiles
 * (docs/drift-check.md, "How columns are tested" and "Reference profiles").
 */
export * from './types.js';
export { parseDriftConfig, configuredColumnTypes } from './config.js';
export { DriftProfileBuilder, DEFAULT_EXACT_LIMIT, DEFAULT_CATEGORY_CAP } from './profile.js';
export { parseDriftProfile, mergeDriftProfiles } from './profile-document.js';
export { DEFAULT_SKETCH_BINS } from './sketch.js';
export { detectDrift, defaultTest, DEFAULT_DRIFT_SHARE } from './detect.js';
export { TEST_RULES } from './tests.js';
