/**
 * evaluate-gate: candidate metrics -> baseline (core/metrics/baseline.ts over the real sources)
 * -> gates (core/gates) -> report (core/report) -> file, summary, sticky comment (adapters).
 */
import { relative, resolve, sep } from 'node:path';
import { headCommit, realBaselineSources } from '../../adapters/baseline-sources.js';
import { workflowRunUrl } from '../../adapters/environment.js';
import { checkOutputPaths, displayPath, readUserFile, writeFileAtomic } from '../../adapters/fs/user-files.js';
import { commentFromArtifact } from '../../adapters/github/comment-from-artifact.js';
import { pullRequestFromEvent, readTriggeringEvent } from '../../adapters/github/event.js';
import { deliverReport } from '../../adapters/github/gate-comment.js';
import { outboxPath } from '../../adapters/outbox.js';
import type { ActionOutcome } from '../../adapters/runner/definition.js';
import { actionMeta } from '../../generated/action-meta.js';
import { evaluateGates, parseGates, type GatesConfig } from '../../core/gates/index.js';
import { baselineStepHistory, loadHistory, resolveBaseline } from '../../core/metrics/baseline.js';
import { parseBaselineSpec } from '../../core/metrics/baseline-spec.js';
import { mergeMetrics, parseMetricsDocument, type Lineage, type MetricsSet } from '../../core/metrics/parse.js';
import { gateResultsJson, renderGateReport, type HistoryEntry } from '../../core/report/evaluate-gate.js';
import type { EvaluateGateContext } from './main.js';

/**
 * The gates input is a file path or the YAML itself: text with a line break or starting with `{`
 * is YAML/JSON; anything else is a path relative to the working directory.
 */
function isGatesPath(raw: string): boolean {
  return !raw.includes('\n') && !raw.trimStart().startsWith('{');
}

async function loadGates(
  raw: string,
  workingDirectory: string,
  workspace: string,
  label: string,
): Promise<GatesConfig> {
  if (!isGatesPath(raw)) return parseGates(raw, 'gates input');
  const file = resolve(workingDirectory, raw);
  return parseGates(await readUserFile(file, label, displayPath(file, workspace)), displayPath(file, workspace));
}

export async function runEvaluateGate({
  inputs,
  io,
  log,
  env,
  label,
}: EvaluateGateContext): Promise<ActionOutcome<'evaluate-gate'>> {
  const workingDirectory = inputs['working-directory'];
  const workspace = env.workspace;
  const commentKey = inputs['comment-key'];
  const reportPath = inputs.report;
  const token = inputs['github-token'];
  const local = !env.inActions || !token;
  await checkOutputPaths(
    [
      { path: reportPath, label: label('report') },
      // In local mode the comment goes to the outbox: its folder must be writable too, before
      // the report is written.
      ...(local && inputs.comment === 'true'
        ? [
            {
              path: outboxPath(workingDirectory, { kind: 'comment', source: 'evaluate-gate', key: commentKey }),
              label: 'the outbox',
            },
          ]
        : []),
    ],
    workingDirectory,
    [
      ...(inputs.metrics ?? []).map((file) => ({ path: file, label: label('metrics') })),
      ...(inputs.gates !== undefined && isGatesPath(inputs.gates)
        ? [{ path: resolve(workingDirectory, inputs.gates), label: label('gates') }]
        : []),
    ],
  );
  const event = await readTriggeringEvent(env);

  if (inputs.comment === 'comment-from-artifact') {
    const posted = await commentFromArtifact({
      env,
      event,
      token,
      reportPath,
      commentKey,
      log,
      display: (file) => displayPath(file, workspace),
    });
    return { passed: true, outputs: { report: reportPath, 'comment-url': posted.url } };
  }

  const metricFiles = inputs.metrics;
  const gatesInput = inputs.gates;
  if (!metricFiles?.length || !gatesInput) throw new Error('main.ts lets no run without metrics and gates through');
  const spec = parseBaselineSpec(inputs.baseline, label('baseline'));
  const model = inputs.model;

  const sets: MetricsSet[] = [];
  for (const file of metricFiles) {
    const text = await readUserFile(file, label('metrics'), displayPath(file, workspace));
    sets.push(parseMetricsDocument(text, displayPath(file, workspace)));
  }
  const candidate = mergeMetrics(sets);
  const gates = await loadGates(gatesInput, workingDirectory, workspace, label('gates'));

  const pullRequest = pullRequestFromEvent(event);
  const sources = realBaselineSources({
    workingDirectory,
    registryBranch: inputs['registry-branch'],
    registryRemote: inputs['registry-remote'],
    log,
    ...(token ? { token } : {}),
    serverUrl: env.serverUrl,
  });
  const baseline = await log.group('Baseline', () =>
    resolveBaseline(
      spec,
      {
        candidateFiles: metricFiles.map((f) => relative(workingDirectory, f).split(sep).join('/')),
        ...(model ? { model } : {}),
        ...(pullRequest?.baseSha ? { baseSha: pullRequest.baseSha } : {}),
        log,
        labels: { baseline: label('baseline'), model: label('model'), registryBranch: label('registry-branch') },
        defaultRegistryBranch: actionMeta['evaluate-gate'].inputs['registry-branch'].default,
      },
      sources,
    ),
  );
  if (baseline.description.fallback) {
    // Said once, as a warning: a gate compared with less than auto's first choice must be visible.
    log.warning(`Baseline auto fell back: ${baseline.description.fallback}.`);
  } else {
    log.info(
      baseline.description.resolved
        ? `Baseline: ${baseline.description.resolved}.`
        : `No baseline: ${baseline.description.note ?? 'none'}. Absolute gates still apply.`,
    );
  }
  const history: HistoryEntry[] = model ? await loadHistory(model, sources) : [];
  const baselineHistory = candidate.history ? await baselineStepHistory(baseline, sources, log) : undefined;

  const evaluation = evaluateGates(gates, {
    candidate: candidate.values,
    ...(baseline.metrics ? { baseline: baseline.metrics.values } : {}),
    ...(baseline.description.resolved ? { baselineLabel: baseline.description.resolved } : {}),
  });

  const runUrl = workflowRunUrl(env);
  const candidateLineage: Lineage = { ...candidate.lineage };
  candidateLineage.commit ??= pullRequest?.headSha ?? env.sha ?? (await headCommit(workingDirectory));
  if (!candidateLineage.runUrl && runUrl) candidateLineage.runUrl = runUrl;
  if (!candidateLineage.runId && env.runId) candidateLineage.runId = env.runId;
  if (!candidateLineage.commit) delete candidateLineage.commit;

  const failOnRegression = inputs['fail-on-regression'];
  const report = renderGateReport({
    evaluation,
    baseline: baseline.description,
    candidate: {
      files: candidate.files,
      lineage: candidateLineage,
      ...(candidate.params ? { params: candidate.params } : {}),
    },
    ...(model ? { model } : {}),
    failOnRegression,
    history,
    candidateLabel: pullRequest ? `PR #${pullRequest.number}` : 'candidate',
    stepHistories: {
      ...(candidate.history ? { candidate: candidate.history } : {}),
      ...(baselineHistory ? { baseline: baselineHistory } : {}),
    },
    ...(env.repository
      ? { links: { serverUrl: env.serverUrl, repository: `${env.repository.owner}/${env.repository.repo}` } }
      : {}),
    ...(runUrl ? { runUrl } : {}),
  });
  const results = gateResultsJson({ evaluation, baseline: baseline.description, ...(model ? { model } : {}) });

  await writeFileAtomic(reportPath, report);
  await io.appendSummary(report);

  for (const result of evaluation.results) {
    const line = `${result.metric}: ${result.reasons.join('; ')}`;
    // With fail-on-regression false a failed gate is reported, not failed: an error annotation
    // on a green step would read as a problem with the step itself.
    if (result.verdict === 'fail' && failOnRegression) log.error(line, result.location);
    else if (result.verdict === 'fail' || result.verdict === 'warn') log.warning(line, result.location);
  }

  let commentUrl: string | undefined;
  if (inputs.comment !== 'false') {
    const delivery = await deliverReport({
      env,
      token,
      log,
      workingDirectory,
      pullRequest,
      commentKey,
      workflow: env.workflow ?? 'local',
      report,
      reportPath,
      stamp: { runId: env.runId, runAttempt: env.runAttempt, time: new Date().toISOString() },
    });
    commentUrl = delivery.url;
    if (delivery.note) await io.appendSummary(`\n> ${delivery.note}\n`);
  }

  const { counts } = evaluation;
  const gated = counts.pass + counts.warn + counts.fail;
  const firstFailure = evaluation.results.find((r) => r.verdict === 'fail');
  return {
    passed: evaluation.passed || !failOnRegression,
    outputs: {
      passed: evaluation.passed,
      report: reportPath,
      results: JSON.stringify(results),
      'comment-url': commentUrl,
    },
    ...(evaluation.passed
      ? {}
      : {
          failure: `${counts.fail} of ${gated} gates failed: ${evaluation.results
            .filter((r) => r.verdict === 'fail')
            .map((r) => r.metric)
            .join(', ')} (see the report).`,
          ...(firstFailure?.location ? { failureLocation: firstFailure.location } : {}),
        }),
  };
}
