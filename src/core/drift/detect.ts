import type { DetectDriftInput, DriftReport } from './types.js';

/**
 * Tests every column for drift with Evidently 0.7's default rules (or the config's), and decides
 * dataset drift by the share of drifted columns.
 */
export function detectDrift(input: DetectDriftInput): DriftReport {
  void input;
  throw new Error('detectDrift: not implemented yet');
}
