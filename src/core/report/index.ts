export {
  GITHUB_COMMENT_LIMIT,
  escapeCell,
  gateResultsJson,
  historyPoints,
  renderGateReport,
  supersededCommentLine,
  verdictLine,
  type BaselineDescription,
  type GateReportInput,
  type GateResultsJson,
  type HistoryEntry,
} from './evaluate-gate.js';
export { axisRange, historyChart, plainNumber, type HistoryPoint } from './mermaid.js';
