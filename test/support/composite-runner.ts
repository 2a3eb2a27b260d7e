/**
 * Runs a composite action (`runs.using: composite`) the way GitHub's runner does, for the tests:
 * the steps in order, each `if:` evaluated with the status functions (an `if:` without one means
 * `success() && (...)`), `${{ }}` expressions in `env`, `working-directory` and `outputs.*.value`
 * evaluated against the inputs (action.yml defaults applied), `steps.<id>.outputs/outcome/
 * conclusion`, `github`, `env` and `runner`, each `run:` step run by its shell with fresh
 * GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files (GITHUB_ENV and
 * GITHUB_PATH apply to the later steps) and GITHUB_ACTION_PATH set to the action's folder.
 *
 * The expression language is GitHub's (docs: "Evaluate expressions in workflows and actions"):
 * literals, `.`/`[]` property access (case-insensitive, a missing property is null), `!`, `<`,
 * `<=`, `>`, `>=`, `==`, `!=` with GitHub's loose equality (different types compare as numbers,
 * strings case-insensitively), `&&` and `||` returning an operand, and the functions contains,
 * startsWith, endsWith, format, join, toJSON, fromJSON and the status functions. Anything it does
 * not implement (the `*` filter, hashFiles, other contexts, `uses:` steps, `${{ }}` inside a
 * `run:` script) throws instead of being evaluated wrongly.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runShellCommand } from '../../src/adapters/process.js';
import { distDir, parseAnnotations, parseOutputFile, processTimeoutMs, repoRoot, type Annotation } from './runner.js';

// ---------------------------------------------------------------------------------------------
// Values and GitHub's conversions
// ---------------------------------------------------------------------------------------------

/** A value of the expression language. Objects and arrays are the contexts' own JSON data. */
export type ExpressionValue = null | boolean | number | string | ExpressionValue[] | { [key: string]: ExpressionValue };

/** Falsy: false, 0, -0, NaN, '' and null; everything else (objects and arrays too) is truthy. */
export function isTruthy(value: ExpressionValue): boolean {
  if (value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return true;
}

/**
 * GitHub's number coercion: null 0, booleans 1/0, a string parsed as a JSON number ('' is 0, hex
 * and anything else NaN), objects and arrays NaN.
 */
export function toNumber(value: ExpressionValue): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return 0;
    return /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  }
  return Number.NaN;
}

/** A number literal of the expression language: decimal, exponent, hex (0x) or octal (0o), signed. */
function numberLiteral(text: string): number {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[-+]/, '');
  const magnitude = /^0x/i.test(digits)
    ? Number.parseInt(digits.slice(2), 16)
    : /^0o/i.test(digits)
      ? Number.parseInt(digits.slice(2), 8)
      : Number(digits);
  return negative ? -magnitude : magnitude;
}

/** GitHub's string conversion: null '', booleans and numbers as written, objects 'Object', arrays 'Array'. */
export function toText(value: ExpressionValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return Array.isArray(value) ? 'Array' : 'Object';
}

function kindOf(value: ExpressionValue): 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'boolean' | 'number' | 'string' | 'object';
}

/**
 * `==` as GitHub defines it: same types compare directly (strings ignoring case, objects and
 * arrays only when they are the same instance); different types are both coerced to numbers.
 */
export function looseEquals(left: ExpressionValue, right: ExpressionValue): boolean {
  const kind = kindOf(left);
  if (kind === kindOf(right)) {
    if (kind === 'string') return (left as string).toUpperCase() === (right as string).toUpperCase();
    return left === right; // NaN never equals itself, as in GitHub
  }
  return toNumber(left) === toNumber(right);
}

/** `<`, `<=`, `>`, `>=`: two strings compare ignoring case, anything else as numbers (NaN: false). */
function compare(left: ExpressionValue, right: ExpressionValue, op: '<' | '<=' | '>' | '>='): boolean {
  let a: number | string;
  let b: number | string;
  if (typeof left === 'string' && typeof right === 'string') {
    a = left.toUpperCase();
    b = right.toUpperCase();
  } else {
    a = toNumber(left);
    b = toNumber(right);
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens and syntax
// ---------------------------------------------------------------------------------------------

type Token =
  | { kind: 'literal'; value: ExpressionValue; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number };

/** Thrown for an expression the harness cannot parse or does not implement. */
export class ExpressionError extends Error {}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const char = expression[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const two = expression.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      tokens.push({ kind: 'op', value: two, at: i });
      i += 2;
      continue;
    }
    if ('()[],.!<>'.includes(char)) {
      tokens.push({ kind: 'op', value: char, at: i });
      i++;
      continue;
    }
    if (char === '*') throw new ExpressionError(`the object filter * (at ${i} in "${expression}") is not implemented`);
    if (char === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= expression.length) throw new ExpressionError(`unterminated string at ${i} in "${expression}"`);
        if (expression[j] === "'") {
          if (expression[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += expression[j];
        j++;
      }
      tokens.push({ kind: 'literal', value: text, at: i });
      i = j + 1;
      continue;
    }
    const number = /^[-+]?(0x[0-9a-f]+|0o[0-7]+|(\d+\.?\d*|\.\d+)(e[-+]?\d+)?)/i.exec(expression.slice(i));
    if (number && (/[\d.]/.test(char) || ((char === '-' || char === '+') && /[\d.]/.test(expression[i + 1] ?? '')))) {
      tokens.push({ kind: 'literal', value: numberLiteral(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expression.slice(i));
    if (name) {
      const word = name[0];
      if (word === 'true' || word === 'false') tokens.push({ kind: 'literal', value: word === 'true', at: i });
      else if (word === 'null') tokens.push({ kind: 'literal', value: null, at: i });
      else if (word === 'NaN') tokens.push({ kind: 'literal', value: Number.NaN, at: i });
      else if (word === 'Infinity') tokens.push({ kind: 'literal', value: Infinity, at: i });
      else tokens.push({ kind: 'name', value: word, at: i });
      i += word.length;
      continue;
    }
    throw new ExpressionError(`unexpected "${char}" at ${i} in "${expression}"`);
  }
  return tokens;
}

/** The syntax tree of an expression. */
export type ExpressionNode =
  | { type: 'literal'; value: ExpressionValue }
  | { type: 'context'; name: string }
  | { type: 'property'; object: ExpressionNode; key: ExpressionNode }
  | { type: 'not'; operand: ExpressionNode }
  | { type: 'binary'; op: string; left: ExpressionNode; right: ExpressionNode }
  | { type: 'call'; name: string; args: ExpressionNode[] };

/** Binding power of the binary operators, lowest first, as GitHub orders them. */
const PRECEDENCE: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4 };

/** Parses an expression (the text inside `${{ }}`) into its syntax tree. */
export function parseExpression(expression: string): ExpressionNode {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const fail = (what: string): never => {
    const token = peek();
    throw new ExpressionError(`${what} at ${token ? token.at : expression.length} in "${expression}"`);
  };
  const expectOp = (op: string): void => {
    const token = peek();
    if (token?.kind !== 'op' || token.value !== op) fail(`expected "${op}"`);
    position++;
  };

  function primary(): ExpressionNode {
    const token = peek();
    if (!token) return fail('unexpected end');
    position++;
    if (token.kind === 'literal') return { type: 'literal', value: token.value };
    if (token.kind === 'op' && token.value === '(') {
      const inner = binary(0);
      expectOp(')');
      return inner;
    }
    if (token.kind === 'op' && token.value === '!') return { type: 'not', operand: postfix(primary()) };
    if (token.kind === 'name') {
      const next = peek();
      if (next?.kind === 'op' && next.value === '(') {
        position++;
        const args: ExpressionNode[] = [];
        if (!(peek()?.kind === 'op' && peek()!.value === ')')) {
          for (;;) {
            args.push(binary(0));
            if (peek()?.kind === 'op' && peek()!.value === ',') {
              position++;
              continue;
            }
            break;
          }
        }
        expectOp(')');
        return { type: 'call', name: token.value, args };
      }
      return { type: 'context', name: token.value };
    }
    position--;
    return fail(`unexpected "${String(token.value)}"`);
  }

  function postfix(node: ExpressionNode): ExpressionNode {
    for (;;) {
      const token = peek();
      if (token?.kind === 'op' && token.value === '.') {
        position++;
        const key = peek();
        if (key?.kind !== 'name') return fail('expected a property name');
        position++;
        node = { type: 'property', object: node, key: { type: 'literal', value: key.value } };
      } else if (token?.kind === 'op' && token.value === '[') {
        position++;
        const key = binary(0);
        expectOp(']');
        node = { type: 'property', object: node, key };
      } else {
        return node;
      }
    }
  }

  function binary(minimum: number): ExpressionNode {
    let left = postfix(primary());
    for (;;) {
      const token = peek();
      const power = token?.kind === 'op' ? PRECEDENCE[token.value] : undefined;
      if (power === undefined || power <= minimum) return left;
      position++;
      const right = binary(power);
      left = { type: 'binary', op: token!.value as string, left, right };
    }
  }

  const tree = binary(0);
  if (position < tokens.length) fail('unexpected text');
  return tree;
}

/** True when the tree calls success(), failure(), always() or cancelled() anywhere. */
export function callsStatusFunction(node: ExpressionNode): boolean {
  switch (node.type) {
    case 'call':
      return STATUS_FUNCTIONS.has(node.name.toLowerCase()) || node.args.some(callsStatusFunction);
    case 'property':
      return callsStatusFunction(node.object) || callsStatusFunction(node.key);
    case 'not':
      return callsStatusFunction(node.operand);
    case 'binary':
      return callsStatusFunction(node.left) || callsStatusFunction(node.right);
    default:
      return false;
  }
}

const STATUS_FUNCTIONS = new Set(['success', 'failure', 'always', 'cancelled']);

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/** What an expression can see: the named contexts, and the job's status for the status functions. */
export interface ExpressionScope {
  contexts: Record<string, ExpressionValue>;
  /** True once an earlier step of the composite failed. */
  failed?: boolean;
}

function property(object: ExpressionValue, key: ExpressionValue): ExpressionValue {
  if (Array.isArray(object)) {
    const index = toNumber(key);
    return Number.isInteger(index) && index >= 0 && index < object.length ? object[index]! : null;
  }
  if (object === null || typeof object !== 'object') return null;
  const wanted = toText(key).toLowerCase();
  for (const [name, value] of Object.entries(object)) if (name.toLowerCase() === wanted) return value;
  return null;
}

function format(template: string, args: ExpressionValue[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}|[{}]/g, (match, index: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (index === undefined) throw new ExpressionError(`format: unbalanced "${match}" in "${template}"`);
    if (Number(index) >= args.length) throw new ExpressionError(`format: no argument {${index}} for "${template}"`);
    return toText(args[Number(index)]!);
  });
}

function callFunction(name: string, args: ExpressionValue[], scope: ExpressionScope): ExpressionValue {
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max)
      throw new ExpressionError(
        `${name}() takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`,
      );
  };
  switch (name.toLowerCase()) {
    case 'success':
      arity(0);
      return !scope.failed;
    case 'failure':
      arity(0);
      return scope.failed === true;
    case 'always':
      arity(0);
      return true;
    case 'cancelled':
      arity(0);
      return false; // the harness never cancels a run
    case 'contains': {
      arity(2);
      const [search, item] = args as [ExpressionValue, ExpressionValue];
      if (Array.isArray(search)) return search.some((element) => looseEquals(element, item));
      return toText(search).toUpperCase().includes(toText(item).toUpperCase());
    }
    case 'startswith':
      arity(2);
      return toText(args[0]!).toUpperCase().startsWith(toText(args[1]!).toUpperCase());
    case 'endswith':
      arity(2);
      return toText(args[0]!).toUpperCase().endsWith(toText(args[1]!).toUpperCase());
    case 'format':
      arity(1, Infinity);
      return format(toText(args[0]!), args.slice(1));
    case 'join': {
      arity(1, 2);
      const separator = args.length > 1 ? toText(args[1]!) : ',';
      return Array.isArray(args[0]) ? args[0].map(toText).join(separator) : toText(args[0]!);
    }
    case 'tojson':
      arity(1);
      return JSON.stringify(args[0], null, 2);
    case 'fromjson':
      arity(1);
      try {
        return JSON.parse(toText(args[0]!)) as ExpressionValue;
      } catch (error) {
        throw new ExpressionError(`fromJSON: ${(error as Error).message}`);
      }
    default:
      throw new ExpressionError(`the function ${name}() is not implemented`);
  }
}

/** Evaluates a parsed expression. Unknown contexts and functions throw. */
export function evaluateNode(node: ExpressionNode, scope: ExpressionScope): ExpressionValue {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'context': {
      const name = Object.keys(scope.contexts).find((key) => key.toLowerCase() === node.name.toLowerCase());
      if (name === undefined) throw new ExpressionError(`the context "${node.name}" is not available`);
      return scope.contexts[name]!;
    }
    case 'property':
      return property(evaluateNode(node.object, scope), evaluateNode(node.key, scope));
    case 'not':
      return !isTruthy(evaluateNode(node.operand, scope));
    case 'call':
      return callFunction(
        node.name,
        node.args.map((arg) => evaluateNode(arg, scope)),
        scope,
      );
    case 'binary': {
      const left = evaluateNode(node.left, scope);
      // && and || short-circuit and return the deciding operand, as in GitHub.
      if (node.op === '&&') return isTruthy(left) ? evaluateNode(node.right, scope) : left;
      if (node.op === '||') return isTruthy(left) ? left : evaluateNode(node.right, scope);
      const right = evaluateNode(node.right, scope);
      if (node.op === '==') return looseEquals(left, right);
      if (node.op === '!=') return !looseEquals(left, right);
      return compare(left, right, node.op as '<' | '<=' | '>' | '>=');
    }
  }
}

/** Evaluates the text of one expression (what is inside `${{ }}`). */
export function evaluateExpression(expression: string, scope: ExpressionScope): ExpressionValue {
  return evaluateNode(parseExpression(expression), scope);
}

/** The `${{ ... }}` spans of a template, with string literals inside them skipped over. */
function templateParts(template: string): Array<{ text: string } | { expression: string }> {
  const parts: Array<{ text: string } | { expression: string }> = [];
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${{', i);
    if (start < 0) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: template.slice(i, start) });
    let j = start + 3;
    let quoted = false;
    for (; j < template.length; j++) {
      if (template[j] === "'")
        quoted = !quoted; // '' inside a string toggles twice
      else if (!quoted && template.startsWith('}}', j)) break;
    }
    if (j >= template.length) throw new ExpressionError(`unterminated \${{ in "${template}"`);
    parts.push({ expression: template.slice(start + 3, j) });
    i = j + 2;
  }
  return parts;
}

/** Replaces each `${{ expression }}` in a string by its value as text, as the runner does for `env:` values. */
export function interpolate(template: string, scope: ExpressionScope): string {
  return templateParts(template)
    .map((part) => ('text' in part ? part.text : toText(evaluateExpression(part.expression, scope))))
    .join('');
}

/**
 * Evaluates a step's `if:` as the runner does: written with or without `${{ }}`; without a status
 * function it means `success() && (condition)`; absent it means `success()`.
 */
export function evaluateCondition(condition: string | undefined, scope: ExpressionScope): boolean {
  let text = (condition ?? '').trim();
  if (text === '') return !scope.failed;
  const parts = templateParts(text);
  if (parts.length === 1 && 'expression' in parts[0]!) text = parts[0].expression;
  else if (parts.some((part) => 'expression' in part))
    throw new ExpressionError(`an if: mixing text and \${{ }} ("${text}") is not implemented`);
  const tree = parseExpression(text);
  if (!callsStatusFunction(tree)) return !scope.failed && isTruthy(evaluateNode(tree, scope));
  return isTruthy(evaluateNode(tree, scope));
}

// ---------------------------------------------------------------------------------------------
// Running a composite action
// ---------------------------------------------------------------------------------------------

interface CompositeStep {
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  shell?: string;
  env?: Record<string, unknown>;
  'working-directory'?: string;
  'continue-on-error'?: boolean | string;
}

interface CompositeAction {
  inputs?: Record<string, { default?: unknown; required?: boolean }>;
  outputs?: Record<string, { value?: unknown }>;
  runs: { using: string; steps: CompositeStep[] };
}

const STEP_KEYS = new Set(['id', 'name', 'if', 'run', 'shell', 'env', 'working-directory', 'continue-on-error']);

export interface CompositeRunOptions {
  /** Inputs by their action.yml names; unset ones get the action.yml default. Unknown names throw. */
  inputs?: Record<string, string | undefined>;
  /** GITHUB_WORKSPACE, and where steps run unless their working-directory says otherwise. */
  workspace: string;
  /** Event name and payload (written to a file for GITHUB_EVENT_PATH; github.event in expressions). */
  event?: { name: string; payload: ExpressionValue };
  /** github.token (what `${{ github.token }}` defaults expand to); empty by default. */
  token?: string;
  repository?: string;
  apiUrl?: string;
  serverUrl?: string;
  sha?: string;
  ref?: string;
  /** The job's environment on top of the runner's: visible to every step and as the env context. */
  env?: Record<string, string | undefined>;
  /**
   * RUNNER_TEMP (and runner.temp), kept after the run so a test can read what steps left there, as
   * the runner keeps it until the job ends. Default: a folder removed when the run ends.
   */
  runnerTemp?: string;
  /** The whole run's limit; each step gets what is left. Default: the running test's, less 5 s. */
  timeoutMs?: number;
}

export interface StepResult {
  id: string | undefined;
  /** success, failure or skipped; conclusion is success for a failed continue-on-error step. */
  outcome: 'success' | 'failure' | 'skipped';
  conclusion: 'success' | 'failure' | 'skipped';
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

export interface CompositeResult {
  /** success when no step failed (continue-on-error aside), as the calling step's conclusion. */
  conclusion: 'success' | 'failure';
  /** The action's outputs, `outputs.*.value` evaluated after the last step. */
  outputs: Record<string, string>;
  steps: StepResult[];
  /** Every step's annotations, in order. */
  annotations: Annotation[];
  /** Every step's stdout, in order. */
  stdout: string;
  /** Every step's step summary, in order. */
  summary: string;
}

/** The runner's base environment: what a hosted runner has, not what the test process happens to have. */
function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot', 'NODE_OPTIONS'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

function readAction(actionFile: string): CompositeAction {
  const doc = parse(readFileSync(actionFile, 'utf8')) as CompositeAction;
  if (doc.runs.using !== 'composite') throw new Error(`${actionFile}: runs.using is ${doc.runs.using}, not composite`);
  for (const [index, step] of doc.runs.steps.entries()) {
    const where = `${actionFile}: step ${index + 1}${step.id ? ` (${step.id})` : ''}`;
    for (const key of Object.keys(step)) {
      if (!STEP_KEYS.has(key)) throw new Error(`${where}: "${key}" is not implemented by the composite runner`);
    }
    if (step.run === undefined) throw new Error(`${where}: only run: steps are implemented`);
    if (step.shell === undefined) throw new Error(`${where}: a run: step of a composite action needs shell:`);
    if (step.run.includes('${{')) throw new Error(`${where}: \${{ }} inside a run: script (pass it through env:)`);
  }
  return doc;
}

/**
 * Copies a composite action.yml into a folder beside the built bundles, as the repository lays
 * them out (`<root>/actions/<name>/action.yml`, `<root>/dist/`), so that its
 * `$GITHUB_ACTION_PATH/../../dist/<bundle>/index.js` runs the bundles `MLOPS_DIST` points at
 * (runner.ts distDir). Returns the copied action.yml.
 */
export function stageCompositeAction(name: string): string {
  const root = dirname(distDir());
  const folder = join(root, 'actions', name);
  mkdirSync(folder, { recursive: true });
  const target = join(folder, 'action.yml');
  copyFileSync(join(repoRoot, 'actions', name, 'action.yml'), target);
  return target;
}

/** Parses GITHUB_ENV's format (the same as GITHUB_OUTPUT's). */
function parseEnvFile(file: string): Record<string, string> {
  return parseOutputFile(readFileSync(file, 'utf8'));
}

/** Runs the composite action in `actionFile` step by step as the runner would, and reports each step. */
export async function runComposite(actionFile: string, options: CompositeRunOptions): Promise<CompositeResult> {
  const action = readAction(actionFile);
  const deadline = Date.now() + (options.timeoutMs ?? processTimeoutMs());
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-composite-'));
  try {
    const actionPath = dirname(resolve(actionFile));
    const token = options.token ?? '';
    const eventFile = join(scratch, 'event.json');
    const payload = options.event?.payload ?? {};
    writeFileSync(eventFile, JSON.stringify(payload));
    const runnerTemp = options.runnerTemp ?? join(scratch, 'runner_temp');
    mkdirSync(runnerTemp, { recursive: true });
    const ref = options.ref ?? 'refs/heads/main';
    const runnerEnv: Record<string, string> = {
      ...baseEnvironment(),
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_REPOSITORY: options.repository ?? 'octo-org/octo-repo',
      GITHUB_API_URL: options.apiUrl ?? 'https://api.github.com',
      GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
      GITHUB_SHA: options.sha ?? '0000000000000000000000000000000000000000',
      GITHUB_REF: ref,
      GITHUB_EVENT_NAME: options.event?.name ?? 'push',
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_RUN_ID: '1000',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'ci',
      GITHUB_JOB: 'test',
      GITHUB_ACTOR: 'octocat',
      GITHUB_ACTION_PATH: actionPath,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
    };
    const jobEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete runnerEnv[name];
      else jobEnv[name] = value;
    }
    const github: Record<string, ExpressionValue> = {
      event_name: runnerEnv.GITHUB_EVENT_NAME!,
      event: payload,
      ref,
      ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
      sha: runnerEnv.GITHUB_SHA!,
      repository: runnerEnv.GITHUB_REPOSITORY!,
      repository_owner: runnerEnv.GITHUB_REPOSITORY!.split('/')[0]!,
      workspace: options.workspace,
      action_path: actionPath,
      token,
      api_url: runnerEnv.GITHUB_API_URL!,
      server_url: runnerEnv.GITHUB_SERVER_URL!,
      run_id: '1000',
      run_attempt: '1',
      actor: 'octocat',
      workflow: 'ci',
      job: 'test',
    };
    const runner: Record<string, ExpressionValue> = {
      os: 'Linux',
      arch: 'X64',
      temp: runnerTemp,
      name: 'test',
      debug: '',
    };

    // Inputs: unknown names are refused, as the runner warns about them; defaults are expressions too.
    const declared = action.inputs ?? {};
    for (const name of Object.keys(options.inputs ?? {})) {
      if (!(name in declared)) throw new Error(`${actionFile}: no input "${name}"`);
    }
    const inputs: Record<string, ExpressionValue> = {};
    const defaultScope: ExpressionScope = { contexts: { github, runner } };
    for (const [name, spec] of Object.entries(declared)) {
      const given = options.inputs?.[name];
      inputs[name] = given ?? (spec.default === undefined ? '' : interpolate(String(spec.default), defaultScope));
    }

    const addedEnv: Record<string, string> = {};
    const addedPath: string[] = [];
    const steps: Record<string, ExpressionValue> = {};
    const results: StepResult[] = [];
    let failed = false;
    const scope = (): ExpressionScope => ({
      contexts: { inputs, github, runner, steps, env: { ...jobEnv, ...addedEnv } },
      failed,
    });

    for (const [index, step] of action.runs.steps.entries()) {
      const files = {
        output: join(scratch, `output-${index}`),
        env: join(scratch, `env-${index}`),
        path: join(scratch, `path-${index}`),
        summary: join(scratch, `summary-${index}`),
      };
      if (!evaluateCondition(step.if, scope())) {
        const skipped: StepResult = {
          id: step.id,
          outcome: 'skipped',
          conclusion: 'skipped',
          exitCode: null,
          stdout: '',
          stderr: '',
          outputs: {},
          summary: '',
          annotations: [],
        };
        results.push(skipped);
        if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        continue;
      }
      for (const file of Object.values(files)) writeFileSync(file, '');
      const stepEnv: Record<string, string> = {};
      for (const [name, value] of Object.entries(step.env ?? {})) stepEnv[name] = interpolate(String(value), scope());
      const path = [...addedPath, jobEnv.PATH ?? runnerEnv.PATH ?? ''].filter(Boolean).join(':');
      const env = {
        ...runnerEnv,
        ...jobEnv,
        ...addedEnv,
        ...stepEnv,
        PATH: path,
        GITHUB_OUTPUT: files.output,
        GITHUB_ENV: files.env,
        GITHUB_PATH: files.path,
        GITHUB_STEP_SUMMARY: files.summary,
      };
      const workingDirectory = step['working-directory']
        ? interpolate(step['working-directory'], scope())
        : options.workspace;
      let stdout = '';
      let stderr = '';
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`${actionFile}: out of time before step ${index + 1}`);
      const result = await runShellCommand({
        script: step.run!,
        shell: step.shell,
        cwd: isAbsolute(workingDirectory) ? workingDirectory : resolve(options.workspace, workingDirectory),
        env,
        timeoutMs: remaining,
        heartbeatMs: 3_600_000,
        tempDir: runnerTemp,
        onOutput: (chunk, stream) => {
          if (stream === 'stdout') stdout += chunk;
          else stderr += chunk;
        },
      });
      if (result.timedOut) {
        throw new Error(
          `${actionFile}: step ${index + 1} (${step.id ?? ''}) timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        );
      }
      const outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
      Object.assign(addedEnv, parseEnvFile(files.env));
      addedPath.unshift(...readFileSync(files.path, 'utf8').split('\n').filter(Boolean).reverse());
      const outcome = result.exitCode === 0 ? 'success' : 'failure';
      const continueOnError =
        step['continue-on-error'] !== undefined &&
        interpolate(String(step['continue-on-error']), scope()).trim().toLowerCase() === 'true';
      const conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
      if (conclusion === 'failure') failed = true;
      const { annotations } = parseAnnotations(stdout);
      results.push({
        id: step.id,
        outcome,
        conclusion,
        exitCode: result.exitCode,
        stdout,
        stderr,
        outputs,
        summary: readFileSync(files.summary, 'utf8'),
        annotations,
      });
      if (step.id) steps[step.id] = { outputs, outcome, conclusion };
    }

    const outputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(action.outputs ?? {})) {
      outputs[name] = interpolate(String(spec.value ?? ''), scope());
    }
    return {
      conclusion: failed ? 'failure' : 'success',
      outputs,
      steps: results,
      annotations: results.flatMap((step) => step.annotations),
      stdout: results.map((step) => step.stdout).join(''),
      summary: results.map((step) => step.summary).join(''),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
