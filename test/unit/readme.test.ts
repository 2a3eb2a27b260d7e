// README.md is what users copy from: its inputs/outputs tables must be action.yml's, and every
// command, script, link and anchor it names must exist. Each check is first shown to catch a bad
// README (a synthetic one), then run on the real README.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectActionDocs, renderTable, updateReadme, type ActionDoc } from '../../scripts/gen-readme.mjs';
import { actionLoaders, extraCommands } from '../../src/cli/commands.js';
import { GLOBAL_FLAGS } from '../../src/cli/flags.js';

const root = join(import.meta.dirname, '..', '..');
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');

/** A fenced code block; a ```` fence may hold ``` lines, so the closing fence is the opening one's length. */
const FENCE = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm;

/** The text with fenced code blocks blanked out (links and headings inside them are not markdown). */
function withoutFences(text: string): string {
  return text.replace(FENCE, (block) => block.replace(/[^\n]/g, ' '));
}

/** The code a reader would copy: fenced blocks and inline code spans. */
function codeOf(text: string): string[] {
  // Shell and YAML comments in fenced blocks are prose (`# puts mlops on the PATH`).
  const fences = [...text.matchAll(FENCE)].map((match) => match[2]!.replace(/(^|\s)#.*$/gm, ''));
  const spans = [...withoutFences(text).matchAll(/(`+)([^`]+?)\1/g)].map((match) => match[2]!);
  return [...fences, ...spans];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, -1 for repeats. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = match[1]!
      .toLowerCase()
      .replace(/<[^>]*>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const seen = counts.get(slug) ?? 0;
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
    counts.set(slug, seen + 1);
  }
  return anchors;
}

/** Relative links (`[text](path#anchor)`) that lead nowhere, as "target: why". */
function brokenLinks(markdown: string, file: string): string[] {
  const broken: string[] = [];
  const text = withoutFences(markdown).replace(/(`+)[^`]+?\1/g, '');
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    if (path !== '' && !existsSync(resolved)) {
      broken.push(`${target}: ${relative(root, resolved)} does not exist`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md') || (path !== '' && statSync(resolved).isDirectory()))
      continue;
    // An anchor into this same text is checked against it, not against the file on disk.
    const headings = path === '' ? markdown : readFileSync(resolved, 'utf8');
    if (!headingAnchors(headings).has(anchor)) {
      broken.push(`${target}: ${relative(root, resolved)} has no heading with the anchor #${anchor}`);
    }
  }
  return broken;
}

/** `npm run <name>` in the text whose script package.json does not have. */
function unknownNpmScripts(markdown: string, scripts: Record<string, string>): string[] {
  const names = [...markdown.matchAll(/\bnpm run ([A-Za-z0-9:_-]+)/g)].map((match) => match[1]!);
  return [...new Set(names)].filter((name) => !(name in scripts));
}

/** What the CLI accepts: each command's subcommands (if any) and flags, without the leading `--`. */
interface CliSurface {
  [command: string]: { flags: Set<string>; subcommands?: Record<string, Set<string>> };
}

let surface: Promise<CliSurface> | undefined;

/** The CLI's commands, loaded once (the registry and runs modules take a while to import). */
function cliSurface(): Promise<CliSurface> {
  surface ??= loadCliSurface();
  return surface;
}

async function loadCliSurface(): Promise<CliSurface> {
  const globals = Object.keys(GLOBAL_FLAGS);
  const actions = collectActionDocs();
  const surface: CliSurface = { help: { flags: new Set(globals) } };
  for (const name of Object.keys(actionLoaders)) {
    surface[name] = { flags: new Set([...globals, ...actions[name]!.inputs.map((input) => input.name)]) };
  }
  for (const extra of extraCommands) {
    const command = await extra.load();
    const entry: CliSurface[string] = { flags: new Set([...globals, ...Object.keys(command.main?.flags ?? {})]) };
    if (command.subcommands) {
      entry.subcommands = Object.fromEntries(
        Object.entries(command.subcommands).map(([sub, spec]) => [
          sub,
          new Set([...globals, ...Object.keys(spec.flags)]),
        ]),
      );
    }
    surface[extra.name] = entry;
  }
  return surface;
}

/**
 * `mlops <command> [<subcommand>] --flag ...` in the text's code that the CLI would refuse: an unknown
 * command or subcommand, or a flag the command does not take. Placeholders (`mlops <action>`) are skipped.
 */
function unknownCliUses(markdown: string, surface: CliSurface): string[] {
  const problems: string[] = [];
  for (const code of codeOf(markdown)) {
    for (const line of code.split('\n')) {
      for (const match of line.matchAll(/(?:^|[\s$(`])mlops ([a-z][a-z-]*)((?: [a-z][a-z-]*)?)([^|#;&]*)/g)) {
        const [command, sub, rest] = [match[1]!, match[2]!.trim(), match[3]!];
        const entry = surface[command];
        if (!entry) {
          problems.push(`mlops ${command}: no such command`);
          continue;
        }
        let flags = entry.flags;
        // `mlops registry ...`, `mlops runs --help`: the command alone names no subcommand to check.
        if (entry.subcommands && !sub) continue;
        if (entry.subcommands) {
          const subFlags = sub ? entry.subcommands[sub] : undefined;
          if (!subFlags) {
            problems.push(`mlops ${command} ${sub}: no such subcommand`);
            continue;
          }
          flags = subFlags;
        }
        for (const flag of rest.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)) {
          if (!flags.has(flag[1]!)) problems.push(`mlops ${command}${sub ? ` ${sub}` : ''}: no flag --${flag[1]}`);
        }
      }
    }
  }
  return problems;
}

/** The repository's own folders: a path in README's code that starts with one of them must exist. */
const REPOSITORY_FOLDERS = [
  'action-templates',
  'actions',
  'bench',
  'docs',
  'examples',
  'schemas',
  'scripts',
  'src',
  'test',
];

/**
 * Paths into this repository that README's code names (`node bench/x.mjs`, `src/adapters/lineage.ts`,
 * `examples/penguins`) and that do not exist. Placeholders (`actions/<name>/action.yml`) and globs
 * are skipped, and so are `uses:` refs; a user's own paths (`data/train.csv`, `model/`) start elsewhere.
 */
function missingRepositoryPaths(markdown: string, base: string): string[] {
  const missing = new Set<string>();
  const folders = REPOSITORY_FOLDERS.join('|');
  const pattern = new RegExp(`(?:^|[\\s\`'"(=])((?:${folders})/[A-Za-z0-9._/-]*)`, 'g');
  for (const code of codeOf(markdown)) {
    for (const match of code.matchAll(pattern)) {
      const path = match[1]!.replace(/[.,:;]+$/, '');
      const next = code[match.index + match[0].length];
      // `<name>` and `*` are placeholders and globs; `actions/checkout@v4` is GitHub's, not a path.
      if (next === '<' || next === '*' || next === '{' || next === '@') continue;
      // `actions/setup-node` alone is GitHub's action too; this repository's are actions/<name>/action.yml.
      if (/^actions\/[^/]+$/.test(path)) continue;
      if (!existsSync(join(base, path))) missing.add(path);
    }
  }
  return [...missing];
}

/** `OWNER/mlops/<name>@v1` in the text whose `<name>` is no folder of actions/ (the short form's source). */
function unknownActionUses(markdown: string, names: string[]): string[] {
  const used = [...markdown.matchAll(/\bOWNER\/mlops\/([a-z][a-z-]*)@/g)].map((match) => match[1]!);
  return [...new Set(used)].filter((name) => !names.includes(name));
}

const actions = collectActionDocs();
const packageScripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe('README.md: the generated inputs and outputs tables', () => {
  it('are exactly what scripts/gen-readme.mjs writes from actions/*/action.yml now, one pair per action', () => {
    const { text, problems } = updateReadme(readme, actions);
    expect(problems).toEqual([]);
    // A failure here means an action.yml changed without `npm run readme` (or npm run bundle).
    expect(text).toBe(readme);
  });

  it('differ from a fresh generation when an action.yml description, default or input changes', () => {
    const changed = structuredClone(actions) as Record<string, ActionDoc>;
    const gate = changed['evaluate-gate']!;
    gate.inputs.find((input) => input.name === 'baseline')!.default = 'none';
    expect(updateReadme(readme, changed).text).not.toBe(readme);
    const added = structuredClone(actions) as Record<string, ActionDoc>;
    added.register!.outputs.push({ name: 'new-output', description: 'Something new.' });
    expect(updateReadme(readme, added).text).toContain('| `new-output` | Something new. |');
  });

  it('name the action and README when an action has no block, and the line of a block naming no action', () => {
    const withoutTrain = readme.replace(/<!-- generated:inputs:train -->[\s\S]*?<!-- \/generated -->/, '');
    expect(updateReadme(withoutTrain, actions).problems).toEqual([
      'README.md: no generated inputs table for actions/train/action.yml; add "<!-- generated:inputs:train -->" and "<!-- /generated -->" to its section.',
    ]);
    const extra = 'intro\n\n<!-- generated:inputs:retrain -->\n<!-- /generated -->\n';
    const { problems } = updateReadme(extra, {});
    expect(problems).toEqual([
      'README.md:3: generated block "inputs:retrain" names no action: there is no actions/retrain/action.yml.',
    ]);
  });

  it('report an opening marker without its closing marker by its line, without swallowing the next block', () => {
    const text = [
      '<!-- generated:inputs:x -->',
      'old',
      '<!-- generated:outputs:x -->',
      'old',
      '<!-- /generated -->',
      '',
    ].join('\n');
    const x: ActionDoc = { name: 'x', description: '', inputs: [], outputs: [{ name: 'out', description: 'o' }] };
    const { text: updated, problems } = updateReadme(text, { x });
    expect(problems[0]).toBe('README.md:1: "<!-- generated:inputs:x -->" has no "<!-- /generated -->" after it.');
    expect(updated).toContain('| `out` | o |');
  });

  it('keep a table a table: | escaped, placeholders visible on GitHub, code spans as written', () => {
    const doc: ActionDoc = {
      name: 'x',
      description: '',
      inputs: [
        {
          name: 'baseline',
          description: 'registry:<model>@<alias>, a | b, or `<sha256>  <name>`\nover two lines.',
          required: true,
          default: '${{ github.token }}',
        },
      ],
      outputs: [],
    };
    expect(renderTable(doc, 'inputs').split('\n')[2]).toBe(
      '| `baseline` | yes | `${{ github.token }}` | registry:&lt;model&gt;@&lt;alias&gt;, a \\| b, or `<sha256>  <name>` over two lines. |',
    );
  });
});

describe('README.md names only what exists', () => {
  it('finds an npm script, a link, an anchor and a CLI use that do not exist (the checks can fail)', async () => {
    const bad = [
      '# Title',
      'Run `npm run demo` and `npm run nonexistent`.',
      '[ok](docs/registry.md#fsck) [gone](docs/nope.md) [anchor](docs/registry.md#no-such-heading) [here](#title) [miss](#missing)',
      '```sh',
      'mlops registry list',
      'mlops registry teleport churn',
      'mlops evaluate-gate --metrics m.json --gatez g.yml',
      'mlops frobnicate',
      '```',
    ].join('\n');
    expect(unknownNpmScripts(bad, packageScripts)).toEqual(['nonexistent']);
    expect(
      missingRepositoryPaths(
        '`node bench/cold-start.mjs`, `node bench/warm-start.mjs`, `actions/<name>/action.yml`',
        root,
      ),
    ).toEqual(['bench/warm-start.mjs']);
    expect(unknownActionUses('uses: OWNER/mlops/train@v1 and OWNER/mlops/retrain@v1', Object.keys(actions))).toEqual([
      'retrain',
    ]);
    expect(brokenLinks(bad, readmePath)).toEqual([
      'docs/nope.md: docs/nope.md does not exist',
      'docs/registry.md#no-such-heading: docs/registry.md has no heading with the anchor #no-such-heading',
      '#missing: README.md has no heading with the anchor #missing',
    ]);
    expect(unknownCliUses(bad, await cliSurface())).toEqual([
      'mlops registry teleport: no such subcommand',
      'mlops evaluate-gate: no flag --gatez',
      'mlops frobnicate: no such command',
    ]);
  });

  it('every `npm run X` is a script in package.json', () => {
    expect(unknownNpmScripts(readme, packageScripts)).toEqual([]);
  });

  it('starts with the two commands a newcomer runs', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock.split('\n').map((line) => line.replace(/\s+#.*$/, ''))).toEqual([
      'npm ci && npm run demo',
      'npm ci && npm test',
      '',
    ]);
  });

  it('every relative link leads to a file, and every #anchor to a heading there', () => {
    expect(brokenLinks(readme, readmePath)).toEqual([]);
  });

  it('every `mlops` command, subcommand and flag it shows is one the CLI takes', async () => {
    expect(unknownCliUses(readme, await cliSurface())).toEqual([]);
  });

  it('every path into this repository that its code names exists (scripts, benchmarks, sources)', () => {
    expect(missingRepositoryPaths(readme, root)).toEqual([]);
  });

  it('every `OWNER/mlops/<name>@v1` names an action of actions/', () => {
    expect(unknownActionUses(readme, Object.keys(actions))).toEqual([]);
  });

  it('says what OWNER is, and never shows the org/ placeholder', () => {
    expect(readme).toContain('`OWNER` is the GitHub user or organisation that hosts your copy of mlops');
    expect(readme).not.toMatch(/\borg\/mlops\b/);
    expect(readme).not.toMatch(/uses: OWNER\/mlops\/actions\//);
  });
});
