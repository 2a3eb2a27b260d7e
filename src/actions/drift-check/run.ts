/**
 * drift-check: reference (data, profile or registry) and current data -> profiles (core/drift)
 * -> detectDrift -> report file, step summary (core/report/drift-check) -> the issue lifecycle and
 * repository_dispatch (adapters/github), or the outbox in local mode.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { workflowRunUrl, type RunEnvironment } from '../../adapters/environment.js';
import { splitDataInputs } from '../../adapters/fs/dataset.js';
import type {
  BackgroundProfileRead,
  ProfileReadProgress,
  ProfileReadTask,
} from '../../adapters/fs/drift-profile-reader.js';
import { checkOutputPaths, displayPath, readUserFile, writeFileAtomic } from '../../adapters/fs/user-files.js';
import { createGitHubClient, type GitHubClient } from '../../adapters/github/client.js';
import { checkEventType, sendRepositoryDispatch } from '../../adapters/github/dispatch.js';
import { composeIssueBody, syncIssue, type IssueSyncResult } from '../../adapters/github/issues.js';
import { outboxPath, removeOutboxMessage, writeOutboxMessage } from '../../adapters/outbox.js';
import { readVersionProfile, registryAccess } from '../../adapters/registry/index.js';
import type { ActionOutcome } from '../../adapters/runner/definition.js';
import { splitList } from '../../adapters/runner/inputs.js';
import {
  detectDrift,
  parseDriftConfig,
  parseDriftProfile,
  type DriftColumnType,
  type DriftConfig,
  type DriftProfile,
  type DriftReport,
} from '../../core/drift/index.js';
import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseBaselineSpec } from '../../core/metrics/baseline-spec.js';
import { formatNumber } from '../../core/metrics/format.js';
import {
  driftCloseComment,
  driftIssueBody,
  driftIssueTitle,
  driftRunComment,
  renderDriftReport,
} from '../../core/report/drift-check.js';
import type { DriftCheckContext } from './main.js';

const PROGRESS_EVERY_MS = 5_000;

/** Drifted columns named in the dispatch payload: the count says how many there are in all. */
const MAX_PAYLOAD_COLUMNS = 100;

/** What the `reference` input names. */
type ReferenceSpec =
  | { kind: 'registry'; text: string; model: string; selector: { alias: string } | { version: number } }
  | { kind: 'files'; files: string[] };

/** `registry:<model>@<alias>` or `@v<N>`, else files and globs relative to the working directory. */
export function parseReferenceSpec(raw: string, cwd: string, label: string): ReferenceSpec {
  if (raw.startsWith('registry:')) {
    const spec = parseBaselineSpec(raw, label);
    if (spec.kind !== 'registry') throw new Error('parseBaselineSpec returned a non-registry spec for registry:');
    return { kind: 'registry', text: raw, model: spec.model, selector: spec.selector };
  }
  // As the `data` input of validate-data: a file, a glob, or a newline/comma separated list.
  return { kind: 'files', files: splitList(raw).map((item) => resolve(cwd, item)) };
}

/**
 * Whether a file is a drift profile rather than data: a `.json` file whose text is one object
 * with `"kind": "mlops-drift-profile"` near its start. Only the first 4 KiB are read, so a large
 * JSON dataset is not read twice.
 */
export async function looksLikeProfile(path: string): Promise<boolean> {
  if (!/\.json$/i.test(path)) return false;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false; // openDataset names the missing file.
  }
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return /^\s*\{/.test(head) && /"kind"\s*:\s*"mlops-drift-profile"/.test(head);
  } finally {
    await handle.close();
  }
}

/** Column types the config forces, for the profile builders. */
function columnTypes(config: DriftConfig | undefined): Record<string, DriftColumnType> {
  const types: Record<string, DriftColumnType> = {};
  for (const [column, settings] of Object.entries(config?.columns ?? {})) {
    if (settings.type) types[column] = settings.type;
  }
  return types;
}

/**
 * The reader module, imported on first use: a module of its own in the bundle (its own chunk), so
 * that the worker thread loading it again parses the data readers and core/drift, not all of
 * drift-check (GitHub client, registry, report).
 */
const profileReader = () => import('../../adapters/fs/drift-profile-reader.js');

/**
 * Reads data files into a profile in one streaming pass, with progress in the log: on this thread,
 * or by finishing a read already running on a worker (whose log lines are shown here, in order).
 */
async function profileData(
  read: ProfileReadTask | BackgroundProfileRead,
  what: string,
  log: Logger,
): Promise<{ profile: DriftProfile; shown: string[] }> {
  let lastLog = Date.now();
  // The group's title names the files, known once they are open: the read starts before the group.
  let opened: (shown: string[]) => void = () => {};
  const shownFiles = new Promise<string[]>((resolve) => (opened = resolve));
  const progress: ProfileReadProgress = {
    opened: (shown) => opened(shown),
    rows(rows) {
      const now = Date.now();
      if (now - lastLog >= PROGRESS_EVERY_MS) {
        lastLog = now;
        log.info(`${rows.toLocaleString('en-US')} rows read…`);
      }
    },
  };
  const reading =
    'finish' in read ? read.finish(log, progress) : (await profileReader()).readDataProfile(read, log, progress);
  // A read that fails opening its files rejects before `opened`: the race throws its error.
  const shown = await Promise.race([shownFiles, reading.then(() => shownFiles)]);
  const finished = await log.group(`Reading the ${what} data: ${shown.join(', ')}`, () => reading);
  log.info(
    `Read ${finished.rows.toLocaleString('en-US')} ${what} rows in ${finished.seconds.toFixed(1)} s${'finish' in read && read.onWorker ? ' (on a worker thread, alongside the reference)' : ''}.`,
  );
  return { profile: finished.profile, shown: finished.shown };
}

/** The one-line failure of a drifted dataset. */
function driftFailure(report: DriftReport): string {
  const names = report.drifted_columns.slice(0, 10).join(', ');
  const more = report.drifted_columns.length > 10 ? ` and ${report.drifted_columns.length - 10} more` : '';
  return `Dataset drift: ${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted (share ${formatNumber(report.share)} >= ${formatNumber(report.drift_share)}): ${names}${more}.`;
}

/** What the retraining workflow gets in `github.event.client_payload`: at most 10 top-level keys. */
export function dispatchPayload(
  report: DriftReport,
  name: string,
  env: RunEnvironment,
  issue: IssueSyncResult | undefined,
): Record<string, unknown> {
  const runUrl = workflowRunUrl(env);
  return {
    name,
    drift: report.drift,
    share: report.share,
    drift_share: report.drift_share,
    number_of_columns: report.number_of_columns,
    drifted_columns: report.drifted_columns.slice(0, MAX_PAYLOAD_COLUMNS),
    ...(issue?.number !== undefined ? { issue_number: issue.number } : {}),
    ...(issue?.url ? { issue_url: issue.url } : {}),
    ...(runUrl ? { run_url: runUrl } : {}),
    ...(env.sha ? { sha: env.sha } : {}),
  };
}

export async function runDriftCheck({
  inputs,
  io,
  log,
  env,
  label,
}: DriftCheckContext): Promise<ActionOutcome<'drift-check'>> {
  const cwd = inputs['working-directory'];
  const workspace = env.workspace;
  const name = inputs.name;
  const reportPath = inputs.report;
  const token = inputs['github-token'];
  const local = !env.inActions || !token;
  const openIssue = inputs['open-issue'];
  const dispatchEvent =
    inputs['dispatch-event'] === undefined
      ? undefined
      : checkEventType(inputs['dispatch-event'], label('dispatch-event'));
  const reference = parseReferenceSpec(inputs.reference, cwd, label('reference'));
  /** The client, created on first use (a run without drift and without an issue never needs it). */
  let client: GitHubClient | undefined;
  const github = async (): Promise<GitHubClient> =>
    (client ??= await createGitHubClient({
      token: token ?? '',
      apiUrl: env.apiUrl,
      log,
      retries: 6,
      retryBaseMs: env.retryBaseMs,
    }));
  const issueFile = outboxPath(cwd, { kind: 'issue', source: 'drift-check', key: name });

  // Before any data is read: outputs that cannot be written (or that are inputs) are bad inputs.
  await checkOutputPaths(
    [
      { path: reportPath, label: label('report') },
      ...(local && openIssue ? [{ path: issueFile, label: 'the outbox' }] : []),
    ],
    cwd,
    [
      ...(reference.kind === 'files' ? reference.files.map((file) => ({ path: file, label: label('reference') })) : []),
      ...inputs.current.map((file) => ({ path: file, label: label('current') })),
      ...(inputs.config ? [{ path: inputs.config, label: label('config') }] : []),
    ],
  );
  if (!local && !env.repository && (openIssue || dispatchEvent)) {
    throw new EnvironmentError('GITHUB_REPOSITORY is not set: cannot open the drift issue or send the dispatch.');
  }

  let config: DriftConfig | undefined;
  if (inputs.config) {
    const shown = displayPath(inputs.config, workspace);
    config = parseDriftConfig(await readUserFile(inputs.config, label('config'), shown), shown);
  }
  const types = columnTypes(config);

  // The current data is read on a worker thread meanwhile: on two cores both sides take the time
  // of the slower one. Its errors are thrown when it is awaited, after the reference's, as before.
  const currentRead = (await profileReader()).readDataProfileInBackground({
    files: inputs.current,
    options: { exactLimit: Infinity, columnTypes: types },
    cwd,
    workspace,
    label: label('current'),
  });
  let referenceProfile: DriftProfile;
  let referenceShown: string;
  try {
    if (reference.kind === 'registry') {
      const stored = await readVersionProfile({
        ...registryAccess(
          { cwd, branch: inputs['registry-branch'], remote: inputs['registry-remote'], token },
          env,
          log,
          (secret) => io.mask(secret),
        ),
        model: reference.model,
        ...reference.selector,
      });
      referenceShown = stored.file;
      referenceProfile = parseDriftProfile(stored.text, stored.file);
      log.info(`Reference: ${stored.file} (${referenceProfile.rows.toLocaleString('en-US')} rows).`);
    } else {
      const entries = await splitDataInputs(reference.files, cwd);
      const only = entries.length === 1 ? resolve(cwd, entries[0]!) : undefined;
      if (only && (await looksLikeProfile(only))) {
        referenceShown = displayPath(only, workspace);
        referenceProfile = parseDriftProfile(
          await readUserFile(only, label('reference'), referenceShown),
          referenceShown,
        );
        log.info(`Reference: the profile ${referenceShown} (${referenceProfile.rows.toLocaleString('en-US')} rows).`);
      } else {
        // Exact on both sides: the data is here, so the statistics need no sketch.
        const read = await profileData(
          {
            files: entries,
            options: { exactLimit: Infinity, columnTypes: types },
            cwd,
            workspace,
            label: label('reference'),
          },
          'reference',
          log,
        );
        referenceProfile = read.profile;
        referenceShown = read.shown.join(', ');
      }
    }
  } catch (error) {
    await currentRead.cancel();
    throw error;
  }
  const current = await profileData(currentRead, 'current', log);

  const report = detectDrift({
    reference: referenceProfile,
    current: current.profile,
    ...(config ? { config } : {}),
    ...(inputs['drift-share'] !== undefined ? { driftShare: inputs['drift-share'] } : {}),
    ...(inputs.columns?.length ? { columns: inputs.columns } : {}),
  });

  const runUrl = workflowRunUrl(env);
  const renderContext = { name, reference: referenceShown, current: current.shown, runUrl };
  await writeFileAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
  await io.appendSummary(renderDriftReport(report, renderContext));
  for (const column of report.columns.filter((c) => c.drift).slice(0, 10)) {
    log.warning(
      `Drift in column "${column.column}": ${column.test} value ${formatNumber(column.value)} (threshold ${formatNumber(column.threshold)}).`,
    );
  }
  log.info(
    `${report.drift ? 'Dataset drift' : 'No dataset drift'}: ${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted (share ${formatNumber(report.share)}, drift-share ${formatNumber(report.drift_share)}). Report: ${reportPath}`,
  );

  let issue: IssueSyncResult | undefined;
  const notes: string[] = [];
  if (openIssue && local) {
    if (report.drift) {
      const path = await writeOutboxMessage(cwd, {
        kind: 'issue',
        source: 'drift-check',
        key: name,
        title: driftIssueTitle(name),
        body: composeIssueBody('drift', name, driftIssueBody(report, renderContext)),
      });
      log.info(`Local mode: the drift issue is in ${path}.`);
      notes.push(`Issue (local mode, not on GitHub): ${path}`);
    } else {
      // As closeResolved would close the issue on GitHub: no stale issue file is left behind.
      const removed = inputs['close-resolved']
        ? await removeOutboxMessage(cwd, { kind: 'issue', source: 'drift-check', key: name })
        : undefined;
      log.info(`Local mode: no drift, so no issue${removed ? ` (removed ${removed})` : ''}.`);
    }
  } else if (openIssue) {
    const client = await github();
    issue = await log.group('Drift issue', () =>
      syncIssue({
        client,
        owner: env.repository!.owner,
        repo: env.repository!.repo,
        kind: 'drift',
        key: name,
        title: driftIssueTitle(name),
        body: driftIssueBody(report, renderContext),
        labels: inputs['issue-labels'],
        problem: report.drift,
        runComment: driftRunComment(report, runUrl),
        closeComment: driftCloseComment(report, runUrl),
        closeResolved: inputs['close-resolved'],
        permissionHint: 'drift-check needs `contents: read, issues: write`; or set open-issue: false.',
        log,
        retryBaseMs: env.retryBaseMs,
      }),
    );
    if (issue.action === 'closed') log.info(`No drift: closed issue #${issue.number}.`);
    if (issue.action === 'unchanged') log.info(`No drift; issue #${issue.number} stays open (close-resolved: false).`);
  }

  if (dispatchEvent && report.drift) {
    const payload = dispatchPayload(report, name, env, issue);
    if (local) {
      log.info(`Local mode: would send repository_dispatch "${dispatchEvent}" with ${JSON.stringify(payload)}.`);
    } else {
      const client = await github();
      await sendRepositoryDispatch({
        client,
        owner: env.repository!.owner,
        repo: env.repository!.repo,
        eventType: dispatchEvent,
        payload,
        log,
      });
    }
  }

  const outputs = {
    drift: report.drift,
    share: report.share,
    'drifted-columns': JSON.stringify(report.drifted_columns),
    report: reportPath,
    'issue-number': issue?.number,
    'issue-url': issue?.url,
  };
  if (report.drift && inputs['fail-on-drift']) {
    return { passed: false, outputs, failure: driftFailure(report), notes };
  }
  return { passed: true, outputs, notes };
}
