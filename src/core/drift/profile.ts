import type { RowBatch } from '../data/dataset.js';
import type { DriftProfile, DriftProfileOptions, DriftProfileSource } from './types.js';

/** Finite values a profile keeps exactly per numeric column before it sketches them. */
export const DEFAULT_EXACT_LIMIT = 100_000;

/**
 * Builds a drift profile in one streaming pass: numbers into growable Float64Arrays, categories
 * into Map counts, beyond `exactLimit` values per column Chan-merged moments and a DDSketch.
 */
export class DriftProfileBuilder {
  constructor(columns: readonly string[], options: DriftProfileOptions = {}) {
    void columns;
    void options;
  }

  /** Adds a batch of rows (cells by column position). */
  addBatch(batch: RowBatch): void {
    void batch;
    throw new Error('DriftProfileBuilder: not implemented yet');
  }

  /** The profile of every row added. */
  finish(source: DriftProfileSource): DriftProfile {
    void source;
    throw new Error('DriftProfileBuilder: not implemented yet');
  }
}

/** Parses and checks a drift profile document: a corrupt one is a ConfigurationError naming the key. */
export function parseDriftProfile(text: string, file: string): DriftProfile {
  void text;
  void file;
  throw new Error('parseDriftProfile: not implemented yet');
}

/** Merges profiles of disjoint parts of one dataset (same columns) into the profile of the whole. */
export function mergeDriftProfiles(profiles: readonly DriftProfile[]): DriftProfile {
  void profiles;
  throw new Error('mergeDriftProfiles: not implemented yet');
}
