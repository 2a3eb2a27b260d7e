/** Text inside a table cell's code span: entities are not decoded there, so only pipes and breaks change. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** What the register step summary shows of a registration (the registry adapter's result has it). */
export interface RegisteredVersion {
  version: number;
  tag: string;
  sha256: string;
  size: number;
  /** True when a retried register found the version its idempotency key had already made. */
  existing: boolean;
  /** The registry commit that holds the version. */
  commit: string | undefined;
  releaseUrl?: string;
  /** Where the artifact is: the release asset's URL, or the local path. */
  location: string;
}

/** The step summary of a registration: the version, where its artifact is, its metrics. */
export function registerSummary(
  model: string,
  result: RegisteredVersion,
  alias: string | undefined,
  metrics: Record<string, number>,
  store: 'release' | 'local',
): string {
  const lines = [
    `### Registered ${model} v${result.version}${result.existing ? ' (already registered by this run)' : ''}`,
    '',
    '| | |',
    '|---|---|',
    `| tag | \`${result.tag}\` |`,
    `| sha256 | \`${result.sha256}\` |`,
    `| size | ${result.size} bytes |`,
    store === 'release' && result.releaseUrl
      ? `| release | [${cell(result.tag)}](${result.releaseUrl}) |`
      : `| artifact | \`${cell(result.location)}\` |`,
  ];
  if (alias) lines.push(`| alias | \`${alias}\` |`);
  if (result.commit) lines.push(`| registry commit | \`${result.commit.slice(0, 12)}\` |`);
  const entries = Object.entries(metrics);
  if (entries.length) {
    lines.push('', '| metric | value |', '|---|---:|');
    for (const [name, value] of entries.slice(0, 50)) lines.push(`| ${cell(name)} | ${value} |`);
    if (entries.length > 50) lines.push(`| … | ${entries.length - 50} more |`);
  }
  return lines.join('\n') + '\n';
}
