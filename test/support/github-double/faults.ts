/**
 * Fault injection: rules that make the double answer like GitHub on a bad day (5xx from the
 * load balancer, primary and secondary rate limits, a 404 for a vanished resource), counted or
 * random with a seeded generator so a failing run can be replayed.
 */
import { seededRandom } from '../random.mjs';

export interface FaultRule {
  /** HTTP status to answer (default 502 for plain faults, 403 for rate limits). */
  status?: number;
  /** `secondary`: 403 + retry-after and GitHub's secondary-limit message. `primary`: remaining 0 + reset. */
  rateLimit?: 'primary' | 'secondary';
  /** Seconds: the `retry-after` header (secondary) or how far ahead `x-ratelimit-reset` is (primary). Default 1. */
  retryAfter?: number;
  /** How many matching requests fail before the rule is spent. Default: unlimited. */
  times?: number;
  /** Only requests with this method (case-insensitive). */
  method?: string;
  /** Only requests whose path (after any GHES prefix, before the query) matches. */
  path?: RegExp | string;
  /** Fail a matching request with this probability (0..1), drawn from the double's seeded generator. */
  probability?: number;
  /** Replaces the JSON body of the answer. */
  body?: unknown;
  /**
   * The request is carried out, then its answer is lost: the client gets the fault instead (a
   * write that happened although the client saw a 502). Plain faults only, not rate limits.
   */
  afterHandling?: boolean;
}

export interface ActiveFault extends FaultRule {
  /** How many requests this rule has failed so far. */
  hits: number;
}

export class Faults {
  readonly rules: ActiveFault[] = [];
  private random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  /** Adds a rule; rules are tried in the order they were added. Returns the live rule (see `hits`). */
  inject(rule: FaultRule): ActiveFault {
    if (rule.probability !== undefined && (rule.probability < 0 || rule.probability > 1)) {
      throw new Error(`github-double: fault probability must be within 0..1, got ${rule.probability}`);
    }
    const active: ActiveFault = { ...rule, hits: 0 };
    this.rules.push(active);
    return active;
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.length = 0;
  }

  /** Re-seeds the generator behind probability rules. */
  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** The rule that fails this request, if any (and counts the hit). */
  take(method: string, path: string): ActiveFault | undefined {
    for (const rule of this.rules) {
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined) {
        const matches =
          typeof rule.path === 'string' ? path === rule.path || path.startsWith(rule.path) : rule.path.test(path);
        if (!matches) continue;
      }
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.hits += 1;
      return rule;
    }
    return undefined;
  }
}
