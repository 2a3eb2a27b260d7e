import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { ConfigurationError, EnvironmentError, InputError, UserError } from '../../core/errors.js';
import { parseStructuredText } from '../../core/metrics/parse.js';
import { profilePath } from '../../core/registry/layout.js';
import { MAX_PROFILE_BYTES, type ProfileUpload } from '../../core/registry/operations.js';
import { chooseVersion } from '../../core/registry/view.js';
import { readUserFile } from '../fs/user-files.js';
import { openRegistryRepository, type RegistryAccessOptions } from './access.js';
import { registrySnapshot } from './transaction.js';

/** sha256 (hex) of a text's UTF-8 bytes: what a stored profile's record names. */
export function profileSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads register's `profile` file for storing with the version: at most MAX_PROFILE_BYTES,
 * UTF-8 JSON (an object). `label` names the input in messages (`profile`, `--profile`), `shown`
 * the file as the user wrote it.
 */
export async function readProfileUpload(file: string, label: string, shown: string = file): Promise<ProfileUpload> {
  const info = await stat(file).catch(() => undefined);
  if (info && info.isFile() && info.size > MAX_PROFILE_BYTES) {
    throw new InputError(
      `${label}: ${shown} has ${info.size} bytes; the registry stores drift profiles of at most ${MAX_PROFILE_BYTES} bytes ` +
        '(they live on the registry branch, which every clone fetches). Profile a sample, or fewer columns.',
    );
  }
  const text = await readUserFile(file, label, shown);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw jsonSyntaxProblem(text, label, shown);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(
      `${label}: not a JSON object; a drift profile is the JSON \`mlops profile --profile-out\` writes.`,
      { file: shown },
    );
  }
  return { text, sha256: profileSha256(text), size: Buffer.byteLength(text, 'utf8'), name: shown };
}

/**
 * The syntax error of a profile that is not JSON, with its line and column: the metrics parser
 * finds them where V8's message names no position.
 */
function jsonSyntaxProblem(text: string, label: string, shown: string): UserError {
  try {
    parseStructuredText(text, 'profile.json');
  } catch (error) {
    if (error instanceof UserError) {
      const { line, column } = error.location ?? {};
      return new ConfigurationError(
        `${label}: ${error.message.replace(/\.$/, '')}; a drift profile is the JSON \`mlops profile --profile-out\` writes.`,
        { file: shown, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) },
      );
    }
    throw error;
  }
  return new ConfigurationError(`${label}: not valid JSON.`, { file: shown });
}

/** What readVersionProfile takes: the model and which version (an alias, a number; default production). */
export interface ReadProfileOptions extends RegistryAccessOptions {
  model: string;
  alias?: string;
  version?: number;
}

/** A stored profile, verified. */
export interface VersionProfile {
  /** The profile's text (JSON). */
  text: string;
  /** Names it in messages: `registry:churn@production (v3, models/churn/profiles/v3.json on branch mlops-registry of origin)`. */
  file: string;
  model: string;
  version: number;
  sha256: string;
}

/**
 * The drift reference profile registered with a version (drift-check's
 * `reference: registry:<model>@<alias>`), read from one registry snapshot and checked against the
 * sha256 its version records. A version registered without one is an InputError that says so.
 */
export async function readVersionProfile(options: ReadProfileOptions): Promise<VersionProfile> {
  const { model } = options;
  const repo = await openRegistryRepository(options);
  const { docs } = await registrySnapshot(repo);
  const choice =
    options.version !== undefined ? { version: options.version } : { alias: options.alias ?? 'production' };
  const { record, label } = await chooseVersion(docs, model, choice);
  const reference = `registry:${model}${label.startsWith('@') ? label : `@${label}`}`;
  const info = record.profile;
  if (!info) {
    throw new InputError(
      `${reference} (v${record.version}) was registered without a drift profile; register it with \`profile:\` (mlops profile --profile-out), or give the reference data itself.`,
    );
  }
  const path = profilePath(model, record.version);
  const where = `${path} on ${repo.label}`;
  const file = `${reference} (v${record.version}, ${where})`;
  if (info.path !== path) {
    throw new EnvironmentError(
      `${file}: the version record names ${info.path}, not ${path} (run mlops registry fsck).`,
    );
  }
  const text = await docs.text(path);
  if (text === undefined) {
    throw new EnvironmentError(
      `${file}: the profile file is missing from the registry branch (run mlops registry fsck).`,
    );
  }
  const sha256 = profileSha256(text);
  if (sha256 !== info.sha256) {
    throw new EnvironmentError(
      `${file}: the stored profile has sha256 ${sha256}, the version records ${info.sha256}; it was changed after registration (run mlops registry fsck).`,
    );
  }
  return { text, file, model, version: record.version, sha256 };
}
