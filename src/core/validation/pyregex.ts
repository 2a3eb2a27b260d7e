/**
 * Python regular expressions (as written in GE suites) compiled to JavaScript RegExps.
 *
 * GE's pandas engine uses `Series.str.contains(regex)`, i.e. `re.search`: a match anywhere in the
 * value. The two dialects agree on nearly everything; this translates the Python-only spellings:
 * named groups `(?P<name>...)` and back-references `(?P=name)`, leading inline flags `(?i)`,
 * `(?m)`, `(?s)`, `(?x)`, comments `(?#...)`, `\A` and `\Z`, and `$`, which in Python also matches
 * before a final newline. What JavaScript cannot express (scoped flags `(?i:...)`, possessive
 * quantifiers, atomic groups, conditionals) is reported as an error, never silently changed.
 */

/** A Python regex that cannot be compiled, with the reason. */
export class PythonRegexError extends Error {}

const INLINE_FLAGS = /^\(\?([aiLmsux]+)\)/;

/** Removes whitespace and `#` comments outside character classes, for the verbose flag. */
function stripVerbose(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\') {
      out += char + (pattern[index + 1] ?? '');
      index++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      continue;
    }
    if (/\s/.test(char)) continue;
    if (char === '#') {
      while (index < pattern.length && pattern[index] !== '\n') index++;
      continue;
    }
    out += char;
  }
  return out;
}

/**
 * Translates a Python pattern to a JavaScript source and flags. Throws PythonRegexError for the
 * constructs JavaScript lacks.
 */
export function translatePythonRegex(pattern: string): { source: string; flags: string } {
  let body = pattern;
  const flags = new Set<string>();
  // Python allows global flags only at the start (3.11+); gather repeated groups like (?i)(?s).
  for (let match = INLINE_FLAGS.exec(body); match; match = INLINE_FLAGS.exec(body)) {
    for (const flag of match[1]!) flags.add(flag);
    body = body.slice(match[0].length);
  }
  if (flags.has('x')) body = stripVerbose(body);
  const multiline = flags.has('m');
  let out = '';
  let inClass = false;
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!;
    if (char === '\\') {
      const next = body[index + 1];
      if (next === undefined) throw new PythonRegexError('bad escape (end of pattern)');
      index++;
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])';
      else out += char + next;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      // A ']' right after '[' or '[^' is a literal in Python; JavaScript needs it escaped.
      if (body[index + 1] === '^') {
        out += '^';
        index++;
      }
      if (body[index + 1] === ']') {
        out += '\\]';
        index++;
      }
      continue;
    }
    if (char === '$' && !multiline) {
      // At the very end of the pattern, consuming the final newline is the same for a search as
      // looking at it, and keeps the pattern free of lookarounds: V8's linear-time engine (which
      // ends catastrophic backtracking, see adapters/regex-engine.ts) runs no lookaround.
      out += index === body.length - 1 ? '\\n?$' : '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    if (char === '(' && body[index + 1] === '?') {
      const rest = body.slice(index + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        index += 3;
        continue;
      }
      const backReference = /^P=(\w+)\)/.exec(rest);
      if (backReference) {
        out += `\\k<${backReference[1]}>`;
        index += 1 + backReference[0].length;
        continue;
      }
      if (rest.startsWith('#')) {
        const end = body.indexOf(')', index);
        if (end === -1) throw new PythonRegexError('missing ), unterminated comment');
        index = end;
        continue;
      }
      if (/^[aiLmsux-]+[:)]/.test(rest)) {
        throw new PythonRegexError('inline flags are only supported at the start of the pattern, as in (?i)abc');
      }
      if (rest.startsWith('>') || rest.startsWith('(')) {
        throw new PythonRegexError('atomic groups and conditional patterns are not supported');
      }
    }
    if ((char === '+' || char === '*' || char === '?' || char === '}') && body[index + 1] === '+') {
      throw new PythonRegexError('possessive quantifiers are not supported');
    }
    out += char;
  }
  let jsFlags = '';
  if (flags.has('i')) jsFlags += 'i';
  if (multiline) jsFlags += 'm';
  if (flags.has('s')) jsFlags += 's';
  return { source: out, flags: jsFlags };
}

/** Compiles a Python regex for `re.search` semantics. Throws PythonRegexError when it cannot. */
export function compilePythonRegex(pattern: string): RegExp {
  const { source, flags } = translatePythonRegex(pattern);
  try {
    return new RegExp(source, flags);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new PythonRegexError(message);
  }
}
