/**
 * Variables a JavaScript action gets that a workflow `run:` step does not: its inputs (the
 * github-token among them) and the runtime service credentials. The user's own commands (train's
 * and deploy's `run`, deploy's `smoke-test`) run as a `run:` step would, so they see none of them.
 */
const ACTION_ONLY_VARIABLES: readonly string[] = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
];

/**
 * The environment a `run:` step would see, from this action's own: every defined variable except
 * `INPUT_*` (in any case) and the runtime credentials. Own keys only, so nothing inherited from a
 * polluted prototype reaches a child process.
 */
export function runStepEnvironment(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(base)) {
    const value = base[name];
    if (value === undefined) continue;
    if (name.toUpperCase().startsWith('INPUT_') || ACTION_ONLY_VARIABLES.includes(name)) continue;
    env[name] = value;
  }
  return env;
}
