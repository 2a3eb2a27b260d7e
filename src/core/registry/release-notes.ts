import type { RegisteredEvent } from './documents.js';

/**
 * Aliases that make a version's GitHub release a full release: until one of them points at it,
 * the release is marked prerelease.
 */
export const RELEASE_ALIASES: readonly string[] = ['production', 'prod'];

/** True when one of `aliases` promotes a release out of prerelease. */
export function isReleaseAlias(alias: string): boolean {
  return RELEASE_ALIASES.includes(alias);
}

const MAX_METRIC_ROWS = 200;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The markdown body of a version's release: lineage, then metrics and params. */
export function releaseBody(event: RegisteredEvent, aliases: string[]): string {
  const { lineage } = event;
  const rows: Array<[string, string]> = [
    ['model', `\`${event.model}\``],
    ['version', `v${event.version}`],
    ['sha256', `\`${event.sha256}\``],
    ['size', `${formatBytes(event.artifact.size)} (${event.artifact.size} bytes)`],
    [
      'artifact',
      `\`${event.artifact.name}\`${event.artifact.kind === 'directory' ? ' (folder, deterministic tar.gz)' : ''}`,
    ],
    ['registered', event.time],
  ];
  if (event.actor) rows.push(['by', event.actor]);
  if (aliases.length) rows.push(['aliases', aliases.map((a) => `\`${a}\``).join(', ')]);
  if (lineage.commit) rows.push(['commit', lineage.commit]);
  if (lineage.ref) rows.push(['ref', `\`${lineage.ref}\``]);
  if (lineage.workflowRun) {
    const run = lineage.workflowRun;
    const label = `${run.workflow ?? 'run'} #${run.id}${run.attempt ? ` (attempt ${run.attempt})` : ''}`;
    rows.push(['workflow run', run.url ? `[${cell(label)}](${run.url})` : cell(label)]);
  }
  if (lineage.trainRunId)
    rows.push([
      'train run',
      `\`${lineage.trainRunId}\`${lineage.trainRunName ? ` (${cell(lineage.trainRunName)})` : ''}`,
    ]);
  if (lineage.dataSha256) rows.push(['data sha256', `\`${lineage.dataSha256}\``]);
  const lines = [`Model **${event.model}** version **v${event.version}**, registered by mlops.`, ''];
  if (event.description) lines.push(event.description, '');
  lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');
  const metrics = Object.entries(event.metrics);
  if (metrics.length) {
    lines.push('### Metrics', '', '| metric | value |', '|---|---:|');
    for (const [name, value] of metrics.slice(0, MAX_METRIC_ROWS)) lines.push(`| ${cell(name)} | ${value} |`);
    if (metrics.length > MAX_METRIC_ROWS)
      lines.push(`| … | ${metrics.length - MAX_METRIC_ROWS} more in the registry |`);
    lines.push('');
  }
  const params = Object.entries(event.params ?? {});
  if (params.length) {
    lines.push('<details><summary>Params</summary>', '', '| param | value |', '|---|---|');
    for (const [name, value] of params.slice(0, MAX_METRIC_ROWS)) {
      lines.push(`| ${cell(name)} | ${cell(typeof value === 'string' ? value : JSON.stringify(value))} |`);
    }
    lines.push('', '</details>', '');
  }
  lines.push(`Verify a download with \`sha256sum ${event.artifact.name}\`: it must print \`${event.sha256}\`.`, '');
  return lines.join('\n');
}
