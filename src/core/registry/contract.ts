import type { ArtifactInfo, ProfileInfo, ReleaseInfo, VersionLineage } from './documents.js';

/**
 * What readers of the registry (evaluate-gate baselines and history, deploy) rely on. The
 * registry implementation (src/core/registry, src/adapters/registry) provides it; it may add
 * fields but not remove these.
 */

/** One registered version of a model, with its lineage. */
export interface ModelVersionRecord {
  model: string;
  /** 1, 2, 3... per model. */
  version: number;
  /** ISO 8601 time of registration. */
  createdAt: string;
  /** sha256 (hex) of the registered artifact; every download verifies it. */
  sha256: string;
  size?: number;
  /** Where the artifact lives: a release asset URL, or a path under .mlops/artifacts. */
  location?: string;
  /** Flattened numeric metrics recorded at registration (`a.b` keys). */
  metrics: Record<string, number>;
  params?: Record<string, unknown>;
  commit?: string;
  dataSha256?: string;
  /** URL of the workflow run that registered the version. */
  runUrl?: string;
  /** Id of the train run record the version came from (runs/<id>.json when tracked). */
  runId?: string;
  actor?: string;
  description?: string;
  /** Aliases that point at this version now. */
  aliases: string[];
  deprecated: boolean;
  // Added by the registry implementation (docs/registry.md):
  /** The artifact: file name, `file` or packaged `directory`, size, location, GitHub release. */
  artifact?: ArtifactInfo;
  /** Full lineage: commit, ref, workflow run, train run id and name, data sha256. */
  lineage?: VersionLineage;
  /** The GitHub release holding the artifact (GitHub mode). */
  release?: ReleaseInfo;
  /** When and why the version was deprecated. */
  deprecation?: { time: string; reason?: string; seq: number };
  /** Id of the `registered` event. */
  eventId?: string;
  /** The drift reference profile stored with the version (register's `profile` input). */
  profile?: ProfileInfo;
}

/** Selects a version: by alias (`@production`) or by number (`@v3`). */
export type VersionSelector = { alias: string } | { version: number };

export interface RegistryReader {
  /** The version the selector names, or undefined when the model, alias or version does not exist. */
  resolve(model: string, selector: VersionSelector): Promise<ModelVersionRecord | undefined>;
  /** Every version of the model, oldest first (empty when the model does not exist). */
  versions(model: string): Promise<ModelVersionRecord[]>;
}
