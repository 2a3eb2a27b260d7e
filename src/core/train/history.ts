import { ConfigurationError } from '../errors.js';
import type { MetricHistoryPoint } from '../registry/runs.js';

/** Metric name -> its points in file order. */
export type MetricHistory = Record<string, MetricHistoryPoint[]>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's value in a message; `missing` when it is absent. */
function shown(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/**
 * Parses a metrics history: JSON Lines of `{"step": 3, "name": "loss", "value": 0.41}` (an
 * optional `timestamp`, milliseconds since the epoch as MLflow keeps them). Blank lines are
 * skipped. Errors name the file, the line and the key.
 */
export function parseMetricHistory(text: string, file: string): MetricHistory {
  const history: MetricHistory = {};
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  body.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(trimmed);
    } catch (error) {
      throw new ConfigurationError(`invalid JSON: ${(error as Error).message.split('\n')[0]}`, { file, line });
    }
    if (!isObject(entry)) {
      throw new ConfigurationError('a history line must be an object {"step", "name", "value"}.', { file, line });
    }
    const { step, name, value, timestamp } = entry;
    if (typeof name !== 'string' || name === '') {
      throw new ConfigurationError('"name" must be the metric\'s name (text).', { file, line, key: 'name' });
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ConfigurationError(`metric "${name}": "value" is ${shown(value)}, not a finite number.`, {
        file,
        line,
        key: 'value',
      });
    }
    if (typeof step !== 'number' || !Number.isInteger(step)) {
      throw new ConfigurationError(`metric "${name}": "step" is ${shown(step)}, not a whole number.`, {
        file,
        line,
        key: 'step',
      });
    }
    if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isFinite(timestamp))) {
      throw new ConfigurationError(`metric "${name}": "timestamp" must be a number (milliseconds since 1970).`, {
        file,
        line,
        key: 'timestamp',
      });
    }
    (history[name] ??= []).push({ step, value, ...(timestamp !== undefined ? { timestamp } : {}) });
  });
  return history;
}

/**
 * The last value of each metric in a history, as MLflow's "latest" is: the point with the highest
 * step, and of those the last one logged.
 */
export function lastValues(history: MetricHistory): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, points] of Object.entries(history)) {
    let best: MetricHistoryPoint | undefined;
    for (const point of points) if (best === undefined || point.step >= best.step) best = point;
    if (best) out[name] = best.value;
  }
  return out;
}
