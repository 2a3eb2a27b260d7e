// Writes each action's inputs and outputs tables into README.md from actions/*/action.yml, between
// markers that say which table goes where:
//
//   <!-- generated:inputs:evaluate-gate -->  ...  <!-- /generated -->
//   <!-- generated:outputs:evaluate-gate --> ...  <!-- /generated -->
//
// so that action.yml stays the one place input names, defaults and descriptions are written.
// Everything outside the markers is README's own text and is left as it is.
//
//   node scripts/gen-readme.mjs            rewrite the blocks (npm run readme; npm run bundle too)
//   node scripts/gen-readme.mjs --check    exit 1 when README.md is not what this would write
//
// A README without a block for some action, or with a block for an action that does not exist, is
// reported on stderr (and fails --check); test/unit/readme.test.ts fails on it too.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The two tables a README block can hold. */
export const TABLE_KINDS = ['inputs', 'outputs'];

/**
 * One generated block: its opening marker, its content, and the closing marker. The content may
 * not hold another opening marker, so a block missing its closing marker never swallows the next.
 */
const BLOCK = /<!-- generated:([a-z]+):([A-Za-z0-9._-]+) -->((?:(?!<!-- generated:)[\s\S])*?)<!-- \/generated -->/g;

/**
 * Every actions/<name>/action.yml, composite ones included (the pipeline): name, description,
 * inputs (description, required, default) and outputs, in the order action.yml lists them.
 */
export function collectActionDocs(actionsDir = join(root, 'actions')) {
  const actions = {};
  for (const name of readdirSync(actionsDir).sort()) {
    const file = join(actionsDir, name, 'action.yml');
    if (!existsSync(file)) continue;
    const doc = parse(readFileSync(file, 'utf8')) ?? {};
    const inputs = Object.entries(doc.inputs ?? {}).map(([input, spec]) => ({
      name: input,
      description: String(spec?.description ?? ''),
      required: spec?.required === true,
      default: spec?.default === undefined ? undefined : String(spec.default),
    }));
    const outputs = Object.entries(doc.outputs ?? {}).map(([output, spec]) => ({
      name: output,
      description: String(spec?.description ?? ''),
    }));
    actions[name] = { name, description: String(doc.description ?? ''), inputs, outputs };
  }
  return actions;
}

/**
 * A table cell: one line (YAML's folded lines joined, other spacing kept: `<sha256>  <name>` has two
 * spaces on purpose), with `|` escaped so that it cannot end the cell.
 */
function cell(text) {
  return text
    .replace(/[ \t]*\r?\n[ \t]*/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

/**
 * A description as cell text. Outside its code spans, `<` and `>` become entities: GitHub would
 * otherwise take `registry:<model>@<alias>` for HTML tags and drop them. Inside code spans they stay
 * as written (an entity there would show literally).
 */
function prose(text) {
  return cell(text)
    .split(/(`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

/** A value shown as code in a cell; one with a backtick inside gets a double fence, as CommonMark allows. */
function code(text) {
  return text.includes('`') ? `\`\` ${cell(text)} \`\`` : `\`${cell(text)}\``;
}

/** The markdown table of one action's inputs (name, required, default, description) or outputs. */
export function renderTable(action, kind) {
  if (kind === 'inputs') {
    const rows = action.inputs.map(
      (input) =>
        `| ${code(input.name)} | ${input.required ? 'yes' : 'no'} | ${input.default === undefined || input.default === '' ? '' : code(input.default)} | ${prose(input.description)} |`,
    );
    return ['| input | required | default | description |', '|---|---|---|---|', ...rows].join('\n');
  }
  if (kind === 'outputs') {
    const rows = action.outputs.map((output) => `| ${code(output.name)} | ${prose(output.description)} |`);
    return ['| output | description |', '|---|---|', ...rows].join('\n');
  }
  throw new Error(`Unknown table kind "${kind}": expected one of ${TABLE_KINDS.join(', ')}.`);
}

/** 1-based line number of a character offset, for messages that point into README.md. */
function lineAt(text, offset) {
  return text.slice(0, offset).split('\n').length;
}

/**
 * README's text with every generated block rewritten from `actions`, and what is wrong with its
 * blocks: a block naming an unknown action or table kind, a block given twice, an opening marker
 * without its `<!-- /generated -->`, an action with a missing inputs or outputs block. Problems
 * name README.md and the line; the blocks that can be generated are generated regardless.
 */
export function updateReadme(text, actions, file = 'README.md') {
  const problems = [];
  const seen = new Set();
  const updated = text.replace(BLOCK, (whole, kind, name, _content, offset) => {
    const where = `${file}:${lineAt(text, offset)}`;
    if (!TABLE_KINDS.includes(kind)) {
      problems.push(
        `${where}: generated block "${kind}:${name}" has an unknown kind; use ${TABLE_KINDS.join(' or ')}.`,
      );
      return whole;
    }
    const action = actions[name];
    if (!action) {
      problems.push(
        `${where}: generated block "${kind}:${name}" names no action: there is no actions/${name}/action.yml.`,
      );
      return whole;
    }
    if (seen.has(`${kind}:${name}`)) problems.push(`${where}: generated block "${kind}:${name}" appears twice.`);
    seen.add(`${kind}:${name}`);
    // Blank lines around the table: markdown then reads it as a table wherever the block sits
    // (inside <details> too), not as part of the HTML comment's block.
    return `<!-- generated:${kind}:${name} -->\n\n${renderTable(action, kind)}\n\n<!-- /generated -->`;
  });
  // An opening marker the pattern did not consume has no closing marker after it.
  const opening = /<!-- generated:[^>]*-->/g;
  const closed = new Set([...text.matchAll(BLOCK)].map((match) => match.index));
  for (const match of text.matchAll(opening)) {
    if (!closed.has(match.index)) {
      problems.push(`${file}:${lineAt(text, match.index)}: "${match[0]}" has no "<!-- /generated -->" after it.`);
    }
  }
  for (const name of Object.keys(actions)) {
    for (const kind of TABLE_KINDS) {
      if (!seen.has(`${kind}:${name}`)) {
        problems.push(
          `${file}: no generated ${kind} table for actions/${name}/action.yml; add "<!-- generated:${kind}:${name} -->" and "<!-- /generated -->" to its section.`,
        );
      }
    }
  }
  return { text: updated, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const readmePath = join(root, 'README.md');
  const before = readFileSync(readmePath, 'utf8');
  const { text, problems } = updateReadme(before, collectActionDocs());
  for (const problem of problems) console.error(problem);
  if (check) {
    if (text !== before)
      console.error('README.md: the generated tables differ from actions/*/action.yml; run npm run readme.');
    process.exitCode = text !== before || problems.length > 0 ? 1 : 0;
  } else if (text !== before) {
    writeFileSync(readmePath, text);
  }
}
