import { resolve } from 'node:path';
import { openDataset, textFilePredicate } from '../../adapters/fs/dataset.js';
import { checkOutputPaths, displayPath, readUserFile, writeFileAtomic } from '../../adapters/fs/user-files.js';
import { enableLinearRegexFallback } from '../../adapters/regex-engine.js';
import type { ActionOutcome } from '../../adapters/runner/definition.js';
import {
  buildReport,
  failureAnnotations,
  failureLine,
  parseSuite,
  runSuite,
  summaryMarkdown,
} from '../../core/validation/index.js';
import type { ValidateDataContext } from './main.js';
import packageJson from '../../../package.json' with { type: 'json' };

const PROGRESS_EVERY_MS = 5_000;

/** Validates the data against the suite, writes the report and the step summary. */
export async function runValidateData({
  inputs,
  io,
  log,
  label,
}: ValidateDataContext): Promise<ActionOutcome<'validate-data'>> {
  enableLinearRegexFallback();
  const cwd = inputs['working-directory'];
  // Before the data is read: a report path that cannot be written (or that is one of the inputs)
  // is a bad input, found at once.
  await checkOutputPaths([{ path: inputs.report, label: label('report') }], cwd, [
    { path: inputs.suite, label: label('suite') },
    ...inputs.data.map((file) => ({ path: resolve(cwd, file), label: label('data') })),
  ]);
  const suiteShown = displayPath(inputs.suite, cwd);
  const suite = parseSuite(await readUserFile(inputs.suite, label('suite'), suiteShown), suiteShown);

  const dataset = await openDataset(inputs.data, { format: inputs.format, cwd, allowEmpty: true, log });
  const absolute = new Map(dataset.sources.map((source) => [source.file, source.path]));

  const started = Date.now();
  let lastLog = started;
  const run = await log.group(
    `Validating ${dataset.files.join(', ')} against ${suiteShown} (${suite.expectations.length} expectations)`,
    () =>
      runSuite(dataset, suite, {
        isTextFile: textFilePredicate(dataset),
        onProgress({ pass, rows }) {
          const now = Date.now();
          if (now - lastLog < PROGRESS_EVERY_MS) return;
          lastLog = now;
          log.info(`${pass > 1 ? `pass ${pass}: ` : ''}${rows.toLocaleString('en-US')} rows read…`);
        },
      }),
  );
  const seconds = (Date.now() - started) / 1000;
  log.info(
    `Read ${run.rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s${run.passes > 1 ? ` (${run.passes} passes over the data)` : ''}.`,
  );

  const context = {
    files: run.files,
    suite: suiteShown,
    validationTime: new Date(started).toISOString(),
    version: packageJson.version,
  };
  const report = buildReport(run, context);
  const reportPath = inputs.report;
  await writeFileAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
  await io.appendSummary(summaryMarkdown(run, context));

  const failed = report.statistics.unsuccessful_expectations;
  const annotations = failureAnnotations(
    run,
    inputs['max-annotations'],
    run.files.map((file) => absolute.get(file) ?? file),
    inputs.suite,
  );
  for (const annotation of annotations) log.error(annotation.message, annotation.location);

  const outputs = {
    passed: failed === 0,
    report: reportPath,
    rows: run.rows,
    evaluated: report.statistics.evaluated_expectations,
    failed,
  };
  if (failed === 0) {
    log.info(`All ${report.statistics.evaluated_expectations} expectations passed. Report: ${reportPath}`);
    return { passed: true, outputs };
  }
  const failure = failureLine(run);
  if (inputs['fail-on'] === 'never') {
    log.warning(`${failure} (fail-on: never, so the step passes). Report: ${reportPath}`);
    return { passed: true, outputs };
  }
  log.info(`Report: ${reportPath}`);
  return { passed: false, outputs, failure, failureLocation: { file: inputs.suite } };
}
