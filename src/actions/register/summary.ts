import type { RegisterModelResult } from '../../adapters/registry/register.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The step summary of a registration: the version, where its artifact is, its metrics. */
export function registerSummary(
  model: string,
  result: RegisterModelResult,
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
