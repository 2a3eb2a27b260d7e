/**
 * Runs an `mlops` command in the test process: `runCli` (src/cli/main.ts), the function the built
 * CLI's entry point calls, with the arguments, environment and working directory given and its
 * two streams captured. It costs the command's own work (its git processes) without a node start
 * and a bundle load per command, for tests that check what a command decides and prints (error
 * lines, refusals) many times over. The bundle itself stays covered by runCliBundle runs: a file
 * that uses this keeps those of its commands that are about the built CLI on the bundle.
 *
 * The command's git processes inherit this process's environment (as they inherit the shell's
 * from the real CLI), so give identity-sensitive writes to runCliBundle.
 */
import { runCli } from '../../src/cli/main.js';
import { TEST_RETRY_BASE_MS, type CliResult } from './runner.js';

/** `mlops <args>` in `cwd` with exactly `env` (plus the suite's retry pacing), as runCliBundle would run it. */
export async function runCliInProcess(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { MLOPS_RETRY_BASE_MS: TEST_RETRY_BASE_MS };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, env, options.cwd, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}
