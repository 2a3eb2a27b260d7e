/**
 * Reads a registry from the test process, through the reader the CLI's `registry show` and
 * `registry history` use (`openRegistryReader`, src/adapters/registry): one fetch of the branch
 * and the same answers, without a node process per look. Tests about those commands run the CLI;
 * tests about the state a deploy or a promotion left behind read it here.
 */
import { openRegistryReader, type GitRegistryReader } from '../../src/adapters/registry/index.js';
import type { RegistryEvent } from '../../src/core/registry/documents.js';
import { memoryLogger } from '../../src/core/logger.js';

/** Where the registry is: a checkout and its remote, the defaults the actions and the CLI use. */
export interface RegistryLocation {
  cwd: string;
  branch?: string;
  remote?: string;
}

/** Opens the registry at `location` for reading (one fetch in remote mode, then one snapshot). */
export function readRegistry(location: RegistryLocation): Promise<GitRegistryReader> {
  return openRegistryReader({
    cwd: location.cwd,
    branch: location.branch ?? 'mlops-registry',
    remote: location.remote ?? 'origin',
    log: memoryLogger(),
  });
}

/** What `registry show <model>@<alias> --json` and `registry history <model> --json` say, from one snapshot. */
export interface ModelState {
  /** The version `alias` names, or undefined when it names none (show exits 2 then). */
  aliasVersion: number | undefined;
  /** The model's events in order, as `registry history --json` lists them. */
  events: RegistryEvent[];
}

/** The version `alias` of `model` names and the model's event log, read from one fetch of the registry. */
export async function modelState(location: RegistryLocation, model: string, alias: string): Promise<ModelState> {
  const registry = await readRegistry(location);
  const record = await registry.resolve(model, { alias });
  const events = (await registry.history(model)).map((entry) => entry.event);
  return { aliasVersion: record?.version, events };
}
