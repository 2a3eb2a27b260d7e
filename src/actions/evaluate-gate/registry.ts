/**
 * Opens the registry for reading (baselines and the history chart) through the registry
 * adapter, loaded on first use so runs that never touch the registry do not parse it.
 */
import { isUserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RegistryReader } from '../../core/registry/contract.js';

export interface RegistryReaderOptions {
  cwd: string;
  branch: string;
  remote: string;
  log: Logger;
  /** For https remotes when git has no credentials of its own. */
  token?: string;
  serverUrl?: string;
}

/**
 * The registry reader, or why it cannot be had. A registry that cannot be read is not an error
 * for evaluate-gate (the report says so); a bug in the registry code is, and is rethrown.
 */
export async function loadRegistryReader(
  options: RegistryReaderOptions,
): Promise<RegistryReader | { unavailable: string }> {
  const { openRegistryReader } = await import('../../adapters/registry/index.js');
  try {
    return await openRegistryReader(options);
  } catch (error) {
    if (isUserError(error)) return { unavailable: error.message };
    throw error;
  }
}
