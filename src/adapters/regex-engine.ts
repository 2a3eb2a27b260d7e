/**
 * Lets V8 run a backtracking-heavy regex with its linear-time engine. With this flag, a pattern
 * such as `^(a+)+$`, which backtracks exponentially on `aaaa…!`, switches to V8's automaton-based
 * engine after a bounded number of backtracks and answers in linear time, with the same result.
 * Patterns that engine cannot run (back-references, lookarounds) keep backtracking; for those,
 * the regex expectations' time budget (core/validation) ends the expectation with an error.
 */
import { setFlagsFromString } from 'node:v8';

let enabled = false;

/** Turns the fallback on for the process (idempotent); only regexes compiled afterwards use it. */
export function enableLinearRegexFallback(): void {
  if (enabled) return;
  enabled = true;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  // V8's default, 50,000 backtracks per match before switching, costs about a millisecond a cell:
  // 10,000 keeps a pathological column to seconds per million rows. A pattern that backtracks
  // less than that per value, which is any ordinary one, never switches.
  setFlagsFromString('--regexp-backtracks-before-fallback=10000');
}
