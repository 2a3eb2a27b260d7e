import type { SourceLocation } from '../errors.js';
import { formatNumber, formatPercent } from '../metrics/format.js';
import type { Gate, GateRule, GatesConfig } from './parse.js';

/** pass / warn (a warn-only rule failed) / fail / info (not gated, shown for context). */
export type Verdict = 'pass' | 'warn' | 'fail' | 'info';

/** One rule's outcome for one metric. */
export interface RuleCheck {
  rule: 'present' | 'min' | 'max' | 'max-regression' | 'max-regression-pct';
  limit?: number;
  /** pass, fail, or skipped (a regression rule with no baseline at all). */
  status: 'pass' | 'fail' | 'skipped';
  message?: string;
}

/** The comparison and verdict for one metric. */
export interface MetricResult {
  metric: string;
  /** The gates-file key that gated it (the metric itself, or a `*` pattern). */
  gate?: string;
  direction?: 'higher' | 'lower';
  warnOnly: boolean;
  description?: string;
  baseline?: number;
  candidate?: number;
  /** candidate - baseline. */
  delta?: number;
  /** delta as a percentage of |baseline|; absent when the baseline is 0 or missing. */
  deltaPct?: number;
  /** Whether the change is for the better, given the direction; absent with no direction or no change. */
  improved?: boolean;
  verdict: Verdict;
  /** Why the verdict is warn or fail (or why a rule was skipped), one line each. */
  reasons: string[];
  checks: RuleCheck[];
  location?: SourceLocation;
}

export interface GateEvaluation {
  /** False when at least one metric's verdict is fail. */
  passed: boolean;
  counts: Record<Verdict, number>;
  results: MetricResult[];
}

export interface EvaluateOptions {
  candidate: Record<string, number>;
  /** Undefined when there is no baseline at all. */
  baseline?: Record<string, number>;
  /** What the baseline is, for reasons: `file:base.json`, `registry:churn@production (v3)`. */
  baselineLabel?: string;
}

/** Whether there is a baseline at all, and what to call it in reasons. */
interface BaselineContext {
  hasBaseline: boolean;
  label?: string;
}

/**
 * A regression rule with no baseline value. With no baseline at all (none asked for, or auto's
 * first model) it is skipped; a baseline that was read but lacks the metric fails it: passing
 * would let a renamed metric, or a baseline of the wrong model, through unchecked.
 */
export function unchecked(
  rule: 'max-regression' | 'max-regression-pct',
  limit: number,
  metric: string,
  context: BaselineContext,
): RuleCheck {
  if (!context.hasBaseline) return { rule, limit, status: 'skipped', message: `${rule} not checked: no baseline` };
  const baseline = context.label ? `the baseline ${context.label}` : 'the baseline';
  return { rule, limit, status: 'fail', message: `${baseline} has no ${metric}: the regression cannot be checked` };
}

/**
 * `value` exceeds `limit` by more than floating-point noise: 0.9 - 0.89 is 0.010000000000000009,
 * which a user who allowed a regression of 0.01 rightly expects to pass.
 */
export function exceeds(value: number, limit: number): boolean {
  return value - limit > 1e-9 * Math.max(1, Math.abs(value), Math.abs(limit));
}

/** How much worse the candidate is than the baseline (negative: better), given the direction. */
export function worsening(candidate: number, baseline: number, direction: 'higher' | 'lower'): number {
  return direction === 'higher' ? baseline - candidate : candidate - baseline;
}

function checkMetric(
  metric: string,
  gate: Gate | undefined,
  candidate: number | undefined,
  baseline: number | undefined,
  context: BaselineContext,
): MetricResult {
  const rule: GateRule | undefined = gate?.rule;
  const result: MetricResult = {
    metric,
    warnOnly: rule?.warnOnly ?? false,
    verdict: gate ? 'pass' : 'info',
    reasons: [],
    checks: [],
  };
  if (gate) {
    result.gate = gate.key;
    result.location = gate.location;
  }
  if (rule?.direction) result.direction = rule.direction;
  if (rule?.description) result.description = rule.description;
  if (candidate !== undefined) result.candidate = candidate;
  if (baseline !== undefined) result.baseline = baseline;
  if (candidate !== undefined && baseline !== undefined) {
    // Rounded to 12 significant digits: 0.91 - 0.9 is 0.010000000000000009 in binary floating point.
    result.delta = Number((candidate - baseline).toPrecision(12));
    if (baseline !== 0) result.deltaPct = Number((((candidate - baseline) / Math.abs(baseline)) * 100).toPrecision(12));
    if (rule?.direction && result.delta !== 0) {
      result.improved = worsening(candidate, baseline, rule.direction) < 0;
    }
  }
  if (!gate || !rule) return result;

  const failed: string[] = [];
  const check = (entry: RuleCheck): void => {
    result.checks.push(entry);
    // Both regression rules can fail for the one missing baseline value: say it once.
    if (entry.status === 'fail' && entry.message && !failed.includes(entry.message)) failed.push(entry.message);
    if (entry.status === 'skipped' && entry.message) result.reasons.push(entry.message);
  };
  if (candidate === undefined) {
    check({ rule: 'present', status: 'fail', message: 'missing from the candidate metrics' });
  } else {
    check({ rule: 'present', status: 'pass' });
    if (rule.min !== undefined) {
      const bad = exceeds(rule.min, candidate);
      check({
        rule: 'min',
        limit: rule.min,
        status: bad ? 'fail' : 'pass',
        ...(bad ? { message: `${formatNumber(candidate)} is below the minimum ${formatNumber(rule.min)}` } : {}),
      });
    }
    if (rule.max !== undefined) {
      const bad = exceeds(candidate, rule.max);
      check({
        rule: 'max',
        limit: rule.max,
        status: bad ? 'fail' : 'pass',
        ...(bad ? { message: `${formatNumber(candidate)} is above the maximum ${formatNumber(rule.max)}` } : {}),
      });
    }
    const direction = rule.direction;
    if (direction && rule.maxRegression !== undefined) {
      if (baseline === undefined) {
        check(unchecked('max-regression', rule.maxRegression, metric, context));
      } else {
        const worse = worsening(candidate, baseline, direction);
        const bad = exceeds(worse, rule.maxRegression);
        check({
          rule: 'max-regression',
          limit: rule.maxRegression,
          status: bad ? 'fail' : 'pass',
          ...(bad
            ? { message: `regressed by ${formatNumber(worse)} (allowed ${formatNumber(rule.maxRegression)})` }
            : {}),
        });
      }
    }
    if (direction && rule.maxRegressionPct !== undefined) {
      if (baseline === undefined) {
        check(unchecked('max-regression-pct', rule.maxRegressionPct, metric, context));
      } else {
        const worse = worsening(candidate, baseline, direction);
        let bad: boolean;
        let message: string;
        if (baseline === 0) {
          // Any worsening from zero is an infinite relative change.
          bad = exceeds(worse, 0);
          message = `regressed by ${formatNumber(worse)} from a baseline of 0 (no relative regression is allowed from 0)`;
        } else {
          const pct = (worse / Math.abs(baseline)) * 100;
          bad = exceeds(pct, rule.maxRegressionPct);
          // Two decimals would show a small but real regression as "0.00%" or "0.01%" beside a limit of 0%.
          const shown = Math.abs(pct) < 0.1 ? `${formatNumber(pct)}%` : formatPercent(pct).replace(/^\+/, '');
          message = `regressed by ${shown} (allowed ${formatNumber(rule.maxRegressionPct)}%)`;
        }
        check({
          rule: 'max-regression-pct',
          limit: rule.maxRegressionPct,
          status: bad ? 'fail' : 'pass',
          ...(bad ? { message } : {}),
        });
      }
    }
  }
  if (failed.length > 0) {
    result.verdict = rule.warnOnly ? 'warn' : 'fail';
    result.reasons.unshift(...failed);
  }
  return result;
}

/**
 * Applies the gates to a candidate and its baseline. Gated metrics come first in gates-file
 * order (pattern matches sorted by name), then every other metric as `info`. A metric the gates
 * name but the candidate lacks fails (warns with warn-only); so does a pattern that matches none.
 */
export function evaluateGates(config: GatesConfig, options: EvaluateOptions): GateEvaluation {
  const candidate = options.candidate;
  const baseline = options.baseline;
  const context: BaselineContext = {
    hasBaseline: baseline !== undefined,
    ...(options.baselineLabel ? { label: options.baselineLabel } : {}),
  };
  const names = [...new Set([...Object.keys(candidate), ...Object.keys(baseline ?? {})])].sort();
  const exact = new Map(config.gates.filter((g) => !g.pattern).map((g) => [g.key, g]));
  const assigned = new Map<string, Gate>();
  for (const name of names) {
    const gate = exact.get(name) ?? config.gates.find((g) => g.pattern?.test(name));
    if (gate) assigned.set(name, gate);
  }
  const results: MetricResult[] = [];
  const done = new Set<string>();
  for (const gate of config.gates) {
    if (!gate.pattern) {
      if (done.has(gate.key)) continue;
      done.add(gate.key);
      results.push(checkMetric(gate.key, gate, candidate[gate.key], baseline?.[gate.key], context));
      continue;
    }
    const matched = names.filter((name) => assigned.get(name) === gate);
    if (matched.length === 0) {
      const result = checkMetric(gate.key, gate, undefined, undefined, context);
      result.reasons = [`no candidate metric matches "${gate.key}"`];
      result.checks = [{ rule: 'present', status: 'fail', message: result.reasons[0]! }];
      results.push(result);
    }
    for (const name of matched) {
      done.add(name);
      results.push(checkMetric(name, gate, candidate[name], baseline?.[name], context));
    }
  }
  for (const name of names) {
    if (done.has(name) || assigned.has(name)) continue;
    results.push(checkMetric(name, undefined, candidate[name], baseline?.[name], context));
  }
  const counts: Record<Verdict, number> = { pass: 0, warn: 0, fail: 0, info: 0 };
  for (const result of results) counts[result.verdict]++;
  return { passed: counts.fail === 0, counts, results };
}
