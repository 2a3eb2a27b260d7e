/** The starter suite as the YAML file `mlops profile` writes. */
import { Document, isScalar, isSeq, visit } from 'yaml';
import type { StarterSuite } from './profile.js';

/**
 * Renders the suite as YAML with short lists on one line, under `header` (comment lines). Strings
 * are written for YAML 1.1 readers too: PyYAML, which GE users load suites with, reads a plain
 * `2012-01-01` as a date, `yes`/`no`/`on`/`off` as booleans and `1:20` as a number; with the 1.1
 * schema such strings are quoted, and YAML 1.2 readers (mlops) read the same strings.
 */
export function starterSuiteYaml(suite: StarterSuite, header: string[]): string {
  const document = new Document(suite, { version: '1.1' });
  visit(document, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item) || (isSeq(item) && item.items.every(isScalar)))) node.flow = true;
    },
  });
  return [...header.map((line) => `# ${line}`), document.toString({ lineWidth: 0 })].join('\n');
}
