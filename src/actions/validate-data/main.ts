import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { defineAction } from '../../adapters/runner/definition.js';
import { integer, oneOf, path, paths } from '../../adapters/runner/inputs.js';
import { ConfigurationError, InputError } from '../../core/errors.js';
import { commonInputs } from '../common.js';
import packageJson from '../../../package.json' with { type: 'json' };

/** A path as reports show it: relative to `base` with `/` when inside it, else absolute. */
function shownPath(file: string, base: string): string {
  const inside = relative(base, file);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split(sep).join('/') : file;
}

async function readSuiteText(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`suite: ${shown} does not exist.`);
    if (code === 'EISDIR') throw new InputError(`suite: ${shown} is a directory, not a file.`);
    throw new ConfigurationError(`cannot read the suite: ${(error as Error).message}`, { file: shown });
  }
}

const PROGRESS_EVERY_MS = 5_000;

export const validateData = defineAction({
  name: 'validate-data',
  inputs: {
    ...commonInputs,
    data: paths(),
    suite: path(),
    format: oneOf(['auto', 'csv', 'tsv', 'json', 'jsonl', 'parquet']),
    report: path(),
    'fail-on': oneOf(['error', 'never']),
    'max-annotations': integer({ min: 0 }),
  },
  async run({ inputs, io, log }) {
    // Loaded once the inputs are read, so that a bad input fails fast (the cold start stays small).
    const [
      { buildReport, failureAnnotations, failureLine, parseSuite, runSuite, summaryMarkdown },
      { openDataset },
      { writeFileAtomic },
    ] = await Promise.all([
      import('../../core/validation/index.js'),
      import('../../adapters/fs/dataset.js'),
      import('../../adapters/outbox.js'),
    ]);
    const cwd = inputs['working-directory'];
    const suiteShown = shownPath(inputs.suite, cwd);
    const suite = parseSuite(await readSuiteText(inputs.suite, suiteShown), suiteShown);

    const dataset = await openDataset(inputs.data, { format: inputs.format, cwd, allowEmpty: true, log });
    const textFiles = new Set(
      dataset.sources
        .filter((source) => source.format === 'csv' || source.format === 'tsv')
        .map((source) => source.file),
    );
    const absolute = new Map(dataset.sources.map((source) => [source.file, source.path]));

    const started = Date.now();
    let lastLog = started;
    const run = await log.group(
      `Validating ${dataset.files.join(', ')} against ${suiteShown} (${suite.expectations.length} expectations)`,
      () =>
        runSuite(dataset, suite, {
          isTextFile: (file) => textFiles.has(file),
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
  },
});
