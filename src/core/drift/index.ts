/**
 * Column drift as Evidently 0.7 computes it by default, over mergeable reference profiles
 * (docs/drift-check.md, "How columns are tested" and "Reference profiles").
 */
export * from './types.js';
export { parseDriftConfig } from './config.js';
export { DriftProfileBuilder, parseDriftProfile, mergeDriftProfiles, DEFAULT_EXACT_LIMIT } from './profile.js';
export { detectDrift } from './detect.js';
