/**
 * Limits on the shape of the JSON and YAML documents users give us (suites, gates, metrics, run
 * records), checked before anything recurses over them. Every parser and walker of these
 * documents (JSON.parse, the yaml library, ajv, our own flatteners, JSON.stringify) recurses once
 * per level, so a 100,000-deep document ends in "Maximum call stack size exceeded" somewhere deep
 * inside; and a YAML document whose aliases refer to aliases ("billion laughs") expands
 * exponentially. Both are refused here with one error naming the file, the line and the key.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Document, type LineCounter } from 'yaml';
import { ConfigurationError, type SourceLocation } from './errors.js';

/**
 * Deepest nesting of objects and arrays accepted in a configuration or metrics document. Real
 * suites, gates and run records nest a handful of levels; 64 leaves room for any honest document
 * and keeps every recursive step far from the stack limit.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * The yaml library's `maxAliasCount`: how far aliases may multiply the document (its own measure:
 * uses of an anchor times the aliases nested inside it). yaml's default is 100.
 */
export const MAX_YAML_ALIAS_COUNT = 1000;

type KeyPath = Array<string | number>;

/** `a.b[0].c` for a key path. */
export function keyPathText(path: readonly (string | number)[]): string {
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

/** The error for an object or array nested too deep: `where` gets the key path to it. */
export function tooDeepError(where: SourceLocation, path: readonly (string | number)[]): ConfigurationError {
  const location: SourceLocation = { ...where, ...(path.length ? { key: keyPathText(path) } : {}) };
  return new ConfigurationError(
    `nested more than ${MAX_NESTING_DEPTH} levels deep; mlops reads documents up to ${MAX_NESTING_DEPTH} levels of objects and lists.`,
    location,
  );
}

/** 1-based line and column of a character offset (counting LF line breaks). */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const OBJECT = 0;
const ARRAY = 1;

/**
 * Scans JSON text, without parsing it, for an object or array nested deeper than `limit`, in one
 * linear pass. Returns the offset of the first bracket too deep and the key path to it, or
 * undefined. Malformed JSON is left to JSON.parse to report: the scan never throws.
 */
export function findDeepJsonNesting(
  text: string,
  limit = MAX_NESTING_DEPTH,
): { offset: number; path: KeyPath } | undefined {
  const kinds: number[] = [];
  const path: KeyPath = [];
  // The last string read inside an object: it is the key once a `:` follows it.
  let lastString: [number, number] | undefined;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === 34 /* " */) {
      // The closing quote is the first one not escaped by an odd run of backslashes.
      let end = index + 1;
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote === -1) return undefined;
        let slashes = 0;
        for (let at = quote - 1; at > index && text.charCodeAt(at) === 92; at--) slashes++;
        end = quote + 1;
        if (slashes % 2 === 0) break;
      }
      lastString = kinds[kinds.length - 1] === OBJECT ? [index, end] : undefined;
      index = end - 1;
    } else if (code === 58 /* : */) {
      if (lastString && kinds[kinds.length - 1] === OBJECT) path[path.length - 1] = decodeKey(text, lastString);
      lastString = undefined;
    } else if (code === 44 /* , */) {
      if (kinds[kinds.length - 1] === ARRAY) path[path.length - 1] = (path[path.length - 1] as number) + 1;
    } else if (code === 123 /* { */ || code === 91 /* [ */) {
      if (kinds.length >= limit) return { offset: index, path: path.slice() };
      kinds.push(code === 123 ? OBJECT : ARRAY);
      path.push(code === 123 ? '' : 0);
    } else if (code === 125 /* } */ || code === 93 /* ] */) {
      kinds.pop();
      path.pop();
      lastString = undefined;
    }
  }
  return undefined;
}

function decodeKey(text: string, [start, end]: [number, number]): string {
  const raw = text.slice(start, end);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/**
 * Refuses JSON text nested deeper than {@link MAX_NESTING_DEPTH}, before JSON.parse (which
 * itself overflows the stack on deep objects) ever sees it.
 */
export function checkJsonTextNesting(text: string, file: string): void {
  const deep = findDeepJsonNesting(text);
  if (deep) throw tooDeepError({ file, ...lineAndColumn(text, deep.offset) }, deep.path);
}

/**
 * Refuses a parsed value nested deeper than {@link MAX_NESTING_DEPTH}, walking it without
 * recursion: for values built by other means than parsing checked text (YAML aliases can nest a
 * collection inside another one).
 */
export function checkValueNesting(value: unknown, file: string): void {
  const path = findDeepValue(value);
  if (path) throw tooDeepError({ file }, path);
}

/**
 * The key path to the first object or array nested deeper than `limit` in a parsed value
 * (`value` itself is level 1), found without recursion; undefined when there is none.
 */
export function findDeepValue(value: unknown, limit = MAX_NESTING_DEPTH): KeyPath | undefined {
  const stack: Array<{ value: unknown; path: KeyPath }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    // `path` holds one key per container above `node`.
    if (path.length >= limit) return path;
    if (Array.isArray(node)) node.forEach((child, index) => stack.push({ value: child, path: [...path, index] }));
    else for (const [key, child] of Object.entries(node)) stack.push({ value: child, path: [...path, key] });
  }
  return undefined;
}

function nodePosition(node: unknown, lines: LineCounter): { line: number; column: number } | undefined {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}

/**
 * Checks a parsed YAML document before it is turned into JavaScript values: collections nested
 * deeper than {@link MAX_NESTING_DEPTH} (also when the parser itself gave up on deep flow
 * collections), and aliases that expand past {@link MAX_YAML_ALIAS_COUNT} ("billion laughs").
 * Both errors name the file, the line and the key.
 */
export function checkYamlDocument(document: Document.Parsed, lines: LineCounter, file: string): void {
  const stack: Array<{ node: unknown; path: KeyPath; depth: number }> = [
    { node: document.contents, path: [], depth: 0 },
  ];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth >= MAX_NESTING_DEPTH) throw tooDeepError({ file, ...nodePosition(node, lines) }, path);
    if (isSeq(node)) {
      node.items.forEach((item, index) => stack.push({ node: item, path: [...path, index], depth: depth + 1 }));
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        stack.push({ node: pair.key, path: [...path, key], depth: depth + 1 });
        stack.push({ node: pair.value, path: [...path, key], depth: depth + 1 });
      }
    }
  }
  const bomb = findAliasBomb(document);
  if (bomb?.unresolved) {
    throw new ConfigurationError(
      `the YAML alias *${bomb.alias} has no anchor &${bomb.alias} before it; define the anchor first or write the value out.`,
      { file, ...(nodePosition(bomb.node, lines) ?? {}) },
    );
  }
  if (bomb) {
    throw new ConfigurationError(
      `the YAML aliases expand too much (alias *${bomb.alias} is where the expansion passes ${MAX_YAML_ALIAS_COUNT}); refusing a possible "billion laughs" document: write the values out or use fewer nested aliases.`,
      { file, ...(nodePosition(bomb.node, lines) ?? {}) },
    );
  }
}

interface AnchorCount {
  count: number;
  aliasCount: number;
}

/**
 * Finds the alias at which the yaml library's `toJS` would throw "Excessive alias count" (or
 * "Unresolved alias", for an alias before any anchor of its name), by
 * doing its arithmetic in its order (document order): each use of an anchor counts once, times
 * the largest expansion of an alias nested inside the anchored node. Knowing the alias gives the
 * error a line; the library's own error names none.
 */
function findAliasBomb(document: Document.Parsed): { node: unknown; alias: string; unresolved?: true } | undefined {
  const latest = new Map<string, unknown>();
  const counts = new Map<unknown, AnchorCount>();
  const aliasCountOf = (node: unknown): number => {
    if (isAlias(node)) {
      const anchor = counts.get(latest.get(node.source));
      return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    if (isCollection(node)) return Math.max(0, ...node.items.map(aliasCountOf));
    if (isPair(node)) return Math.max(aliasCountOf(node.key), aliasCountOf(node.value));
    return 1;
  };
  let found: { node: unknown; alias: string; unresolved?: true } | undefined;
  visit(document, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = latest.get(node.source);
        if (target === undefined) {
          // toJS would throw "Unresolved alias" without a line.
          found = { node, alias: node.source, unresolved: true };
          return visit.BREAK;
        }
        // As in yaml's toJS, the anchored node itself counts as the first use.
        let anchor = counts.get(target);
        if (!anchor) counts.set(target, (anchor = { count: 1, aliasCount: 0 }));
        anchor.count += 1;
        if (anchor.aliasCount === 0) anchor.aliasCount = aliasCountOf(target);
        if (anchor.count * anchor.aliasCount > MAX_YAML_ALIAS_COUNT) {
          found = { node, alias: node.source };
          return visit.BREAK;
        }
      } else if ((node as { anchor?: string }).anchor) {
        latest.set((node as { anchor: string }).anchor, node);
      }
      return undefined;
    },
  });
  return found;
}

/**
 * `document.toJS()` with the alias limit, and the yaml library's own alias errors (a backstop
 * for what {@link checkYamlDocument} did not foresee) turned into a ConfigurationError naming the
 * file. The result's nesting is checked too: aliases can nest a collection inside another one.
 */
export function yamlToValue(document: Document.Parsed, file: string): unknown {
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as unknown;
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new ConfigurationError(`unusable YAML aliases: ${error.message}.`, { file }, { cause: error });
    }
    throw error;
  }
  checkValueNesting(value, file);
  return value;
}
