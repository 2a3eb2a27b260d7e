/** Data validation with Great Expectations semantics: suites, the streaming engine, reports. */
export { parseSuite, SUPPORTED_EXPECTATIONS, type ExpectationConfig, type ExpectationSuite } from './suite.js';
export { runSuite, isTextFileName, PARTIAL_UNEXPECTED_COUNT, type RunOptions, type ValidationRun } from './engine.js';
export type { ExpectationOutcome, UnexpectedRow } from './expectations.js';
export { DEFAULT_MAX_DISTINCT, DEFAULT_MAX_VALUES } from './accumulators.js';
export {
  buildReport,
  summaryMarkdown,
  failureAnnotations,
  failureLine,
  describeExpectation,
  type ReportContext,
  type ValidationAnnotation,
  type ValidationReportJson,
} from './report.js';
