export {
  flattenMetrics,
  flattenParams,
  locateKey,
  mergeMetrics,
  parseMetricsDocument,
  parseStructuredText,
  positionOf,
  type Lineage,
  type MetricsSet,
} from './parse.js';
export { parseBaselineSpec, formatBaselineSpec, type BaselineSpec } from './baseline-spec.js';
export { formatNumber, formatPercent, formatSigned } from './format.js';
