export { parseGates, patternOf, type Gate, type GateRule, type GatesConfig } from './parse.js';
export {
  evaluateGates,
  exceeds,
  worsening,
  type EvaluateOptions,
  type GateEvaluation,
  type MetricResult,
  type RuleCheck,
  type Verdict,
} from './evaluate.js';
