/**
 * Streaming JSON readers over bytes, in constant memory:
 * - {@link parseJsonArray}: a top-level array of objects. A small scanner finds where each element
 *   starts and ends (tracking strings, escapes and nesting), and each element alone goes through
 *   `JSON.parse`, so a multi-gigabyte array never sits in memory whole.
 * - {@link parseJsonLines}: JSON Lines / NDJSON, one object per line; blank lines are skipped.
 *
 * Both yield batches of records (plain objects) with the line where each starts. Mapping records
 * to rows (`recordsToRows`) needs the columns, which the file side collects in a first pass.
 */
import { findDeepValue, MAX_NESTING_DEPTH, tooDeepError } from '../document-limits.js';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import type { Cell } from './dataset.js';
import { DEFAULT_MAX_FIELD_LENGTH } from './delimited.js';
import { decodeUtf8, InvalidUtf8Error } from './utf8.js';

/** Options of the JSON readers. */
export interface JsonOptions {
  /** The file name used in error messages. */
  file: string;
  /** Records per batch, at least (default 2048). */
  batchSize?: number;
  /** Longest record accepted, in characters (default 64 Mi). */
  maxRecordLength?: number;
  /**
   * JSON Lines: longest string value accepted, in characters (default 16 Mi, the CSV field
   * limit). Checked as the line grows, so a runaway line stops early.
   */
  maxFieldLength?: number;
}

/** A JSON record: one object of the array or one line. */
export type JsonRecord = Record<string, unknown>;

/** Records parsed from one file, with the line where each starts. */
export interface JsonRecordBatch {
  records: JsonRecord[];
  /** 1-based line where each record starts. */
  lines: number[];
}

const DEFAULT_BATCH_SIZE = 2048;
const DEFAULT_MAX_RECORD_LENGTH = 64 * 1024 * 1024;
const LF = 10;

/** The type of a JSON value in words, for messages. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `JSON.parse` with its error turned into a message and, when V8 gives one, the character offset
 * of the problem within `text`.
 */
function parseJsonText(text: string): { value: unknown } | { message: string; offset: number | undefined } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const position = /\bat position (\d+)/.exec(raw);
    const message = raw
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    return { message, offset: position ? Number(position[1]) : undefined };
  }
}

/**
 * Refuses a record whose values nest deeper than MAX_NESTING_DEPTH (the record is level 1): cells
 * are compared, counted and printed by code that recurses (JSON.stringify), which would overflow.
 */
function checkRecordDepth(record: JsonRecord, where: SourceLocation): void {
  for (const key in record) {
    const value = record[key];
    if (typeof value !== 'object' || value === null) continue;
    const path = findDeepValue(value, MAX_NESTING_DEPTH - 1);
    if (path) throw tooDeepError(where, [key, ...path]);
  }
}

/** Line and column of `offset` within `text`, which starts at `line`:`column`. */
function locate(text: string, offset: number, line: number, column: number): { line: number; column: number } {
  let lineStart = -1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index;
  }
  return { line, column: lineStart === -1 ? column + offset : offset - lineStart };
}

/** Wraps the text stream so that invalid UTF-8 becomes a located ConfigurationError. */
async function* decodeWithLocation(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  position: () => { line: number; column: number },
): AsyncGenerator<string> {
  try {
    yield* decodeUtf8(chunks);
  } catch (error) {
    if (error instanceof InvalidUtf8Error)
      throw new ConfigurationError(error.message, { file, ...position() }, { cause: error });
    throw error;
  }
}

/**
 * Follows the strings of one long JSON Lines line as it grows, to refuse a string longer than the
 * field limit as soon as it passes it (as the CSV reader refuses a long field). Only lines longer
 * than the limit are followed, so ordinary lines cost nothing extra.
 */
class LongLineStrings {
  private inString = false;
  /** The string's last character so far is a backslash that escapes the next one. */
  private escaped = false;
  private stringStart = 0;
  /** Characters of the line fed so far. */
  private fed = 0;

  constructor(
    private readonly maxFieldLength: number,
    private readonly fail: (column: number) => never,
  ) {}

  feed(text: string): void {
    const length = text.length;
    let index = 0;
    // Native searches for quotes: only quotes and the backslashes before them are visited here.
    while (index < length) {
      if (!this.inString) {
        const quote = text.indexOf('"', index);
        if (quote === -1) break;
        this.inString = true;
        this.stringStart = this.fed + quote;
        index = quote + 1;
        continue;
      }
      if (this.escaped) {
        this.escaped = false;
        index++;
        continue;
      }
      // The next quote closes the string unless an odd run of backslashes precedes it.
      const quote = text.indexOf('"', index);
      const runEnd = quote === -1 ? length : quote;
      let slashes = 0;
      for (let at = runEnd - 1; at >= index && text.charCodeAt(at) === 92; at--) slashes++;
      if (quote === -1) {
        this.escaped = slashes % 2 === 1;
        break;
      }
      index = quote + 1;
      if (slashes % 2 === 1) continue;
      this.inString = false;
      // The string's characters lie between its quotes.
      if (this.fed + quote - this.stringStart - 1 > this.maxFieldLength) this.fail(this.stringStart + 1);
    }
    this.fed += length;
    if (this.inString && this.fed - this.stringStart - 1 > this.maxFieldLength) this.fail(this.stringStart + 1);
  }
}

/**
 * Reads JSON Lines: one JSON object per line (LF or CRLF); blank lines are skipped. Each line that
 * is not valid JSON, or not an object, is an error naming the file, line and (when known) column.
 * A line spanning many chunks is kept as a list of pieces and only the new chunk is searched for
 * the line break, so reading is linear in the line's length; a line over `maxRecordLength`, or a
 * string over `maxFieldLength`, is refused as soon as the reader gets there.
 */
export async function* parseJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  options: JsonOptions,
): AsyncGenerator<JsonRecordBatch> {
  const { file } = options;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const maxLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
  const maxFieldLength = options.maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH;
  let line = 1;
  /** The current line's text from earlier chunks, and its length. */
  let pieces: string[] = [];
  let pendingLength = 0;
  let longLine: LongLineStrings | undefined;
  // Set inside take(); `as boolean` keeps TypeScript from narrowing it to false for good.
  let seenAny = false as boolean;
  let records: JsonRecord[] = [];
  let lines: number[] = [];

  const take = (text: string, lineNumber: number): void => {
    let end = text.length;
    if (end > 0 && text.charCodeAt(end - 1) === 13) end--;
    const body = end === text.length ? text : text.slice(0, end);
    if (body.length === 0 || (body.charCodeAt(0) !== 123 && body.trim() === '')) return;
    seenAny = true;
    const parsed = parseJsonText(body);
    if ('message' in parsed) {
      const location =
        parsed.offset === undefined ? { line: lineNumber } : { line: lineNumber, column: parsed.offset + 1 };
      throw new ConfigurationError(`invalid JSON: ${parsed.message}`, { file, ...location });
    }
    if (!isRecord(parsed.value)) {
      throw new ConfigurationError(`expected a JSON object on each line, found ${describeValue(parsed.value)}`, {
        file,
        line: lineNumber,
      });
    }
    checkRecordDepth(parsed.value, { file, line: lineNumber });
    records.push(parsed.value);
    lines.push(lineNumber);
  };

  /** Adds `text` to the current line, following its strings once the line is long. */
  const grow = (text: string): void => {
    if (longLine) longLine.feed(text);
    else if (pendingLength + text.length > maxFieldLength) {
      const lineNumber = line;
      longLine = new LongLineStrings(maxFieldLength, (column) => {
        throw new ConfigurationError(
          `string longer than ${maxFieldLength} characters (it starts here): is this a JSON Lines file?`,
          { file, line: lineNumber, column },
        );
      });
      for (const piece of pieces) longLine.feed(piece);
      longLine.feed(text);
    }
    pendingLength += text.length;
  };

  const texts = decodeWithLocation(chunks, file, () => ({ line, column: pendingLength + 1 }));
  for await (const chunk of texts) {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, newline);
      if (pieces.length === 0) take(piece, line);
      else {
        grow(piece);
        pieces.push(piece);
        take(pieces.join(''), line);
        pieces = [];
      }
      pendingLength = 0;
      longLine = undefined;
      line++;
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = start === 0 ? chunk : chunk.slice(start);
      grow(rest);
      pieces.push(rest);
    }
    if (pendingLength > maxLength) {
      throw new ConfigurationError(`line longer than ${maxLength} characters: is this a JSON Lines file?`, {
        file,
        line,
      });
    }
    if (records.length >= batchSize) {
      yield { records, lines };
      records = [];
      lines = [];
    }
  }
  if (pieces.length > 0) take(pieces.join(''), line);
  if (records.length > 0) yield { records, lines };
  if (!seenAny) throw new ConfigurationError('the file is empty (no JSON records)', { file });
}

const enum ArrayState {
  BeforeArray,
  /** Just after `[`: a value or `]`. */
  FirstValue,
  /** Just after `,`: a value. */
  NextValue,
  InValue,
  AfterValue,
  Done,
}

const enum ValueKind {
  Container,
  String,
  Primitive,
}

function isJsonSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Reads a top-level JSON array of objects, one element at a time. Errors name the file, the line
 * and column, and the element: invalid JSON inside an element, an element that is not an object,
 * a top-level value that is not an array, a missing `,`, a trailing comma, text after the array,
 * and an array left open at the end of the file.
 */
export async function* parseJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  options: JsonOptions,
): AsyncGenerator<JsonRecordBatch> {
  const scanner = new JsonArrayScanner(options);
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  for await (const text of decodeWithLocation(chunks, options.file, () => scanner.position())) {
    scanner.push(text);
    if (scanner.records.length >= batchSize) yield scanner.takeBatch();
  }
  scanner.end();
  if (scanner.records.length > 0) yield scanner.takeBatch();
}

class JsonArrayScanner {
  records: JsonRecord[] = [];
  lines: number[] = [];

  private readonly file: string;
  private readonly maxLength: number;
  private state = ArrayState.BeforeArray;
  private kind = ValueKind.Primitive;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private partial = '';
  private elements = 0;
  private valueLine = 0;
  private valueColumn = 0;
  private line = 1;
  private lineStart = 0;
  private base = 0;

  constructor(options: JsonOptions) {
    this.file = options.file;
    this.maxLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
  }

  position(): { line: number; column: number } {
    return { line: this.line, column: this.base - this.lineStart + 1 };
  }

  takeBatch(): JsonRecordBatch {
    const batch = { records: this.records, lines: this.lines };
    this.records = [];
    this.lines = [];
    return batch;
  }

  private error(message: string, at?: number): ConfigurationError {
    const column = at === undefined ? undefined : this.base + at - this.lineStart + 1;
    return new ConfigurationError(message, {
      file: this.file,
      line: this.line,
      ...(column === undefined ? {} : { column }),
    });
  }

  push(text: string): void {
    const length = text.length;
    let index = 0;
    let valueStart = 0;
    while (index < length) {
      const code = text.charCodeAt(index);
      switch (this.state) {
        case ArrayState.InValue: {
          const end = this.scanValue(text, index);
          if (end === -1) {
            index = length;
            continue;
          }
          const valueText =
            this.partial === '' ? text.slice(valueStart, end) : this.partial + text.slice(valueStart, end);
          this.partial = '';
          this.emit(valueText);
          this.state = ArrayState.AfterValue;
          index = end;
          continue;
        }
        case ArrayState.BeforeArray:
        case ArrayState.FirstValue:
        case ArrayState.NextValue:
        case ArrayState.AfterValue:
        case ArrayState.Done:
          break;
      }
      if (isJsonSpace(code)) {
        if (code === LF) {
          this.line++;
          this.lineStart = this.base + index + 1;
        }
        index++;
        continue;
      }
      switch (this.state) {
        case ArrayState.BeforeArray:
          if (code === 91 /* [ */) {
            this.state = ArrayState.FirstValue;
            index++;
            continue;
          }
          throw this.error(
            code === 123
              ? 'expected a JSON array of objects, found an object (for one object per line, use JSON Lines: .jsonl)'
              : 'expected a JSON array of objects',
            index,
          );
        case ArrayState.FirstValue:
        case ArrayState.NextValue:
          if (code === 93 /* ] */) {
            if (this.state === ArrayState.NextValue)
              throw this.error('trailing comma before the end of the array', index);
            this.state = ArrayState.Done;
            index++;
            continue;
          }
          if (code === 44 /* , */) throw this.error(`expected element ${this.elements + 1}, found ','`, index);
          this.state = ArrayState.InValue;
          this.valueLine = this.line;
          this.valueColumn = this.base + index - this.lineStart + 1;
          valueStart = index;
          if (code === 123 || code === 91) {
            this.kind = ValueKind.Container;
            this.depth = 1;
            this.inString = false;
          } else if (code === 34) {
            this.kind = ValueKind.String;
            this.inString = true;
          } else {
            this.kind = ValueKind.Primitive;
          }
          this.escaped = false;
          index++;
          continue;
        case ArrayState.AfterValue:
          if (code === 44) {
            this.state = ArrayState.NextValue;
            index++;
            continue;
          }
          if (code === 93) {
            this.state = ArrayState.Done;
            index++;
            continue;
          }
          throw this.error(`expected ',' or ']' after element ${this.elements}`, index);
        case ArrayState.Done:
          throw this.error('unexpected text after the end of the array', index);
      }
    }
    if (this.state === ArrayState.InValue) {
      if (valueStart < length) this.partial += text.slice(valueStart);
      if (this.partial.length > this.maxLength) {
        throw new ConfigurationError(`element ${this.elements + 1} is longer than ${this.maxLength} characters`, {
          file: this.file,
          line: this.valueLine,
          column: this.valueColumn,
        });
      }
    }
    this.base += length;
  }

  /** Scans the current value from `index`; returns the offset just past its end, or -1 if it goes on. */
  private scanValue(text: string, index: number): number {
    const length = text.length;
    if (this.kind === ValueKind.Primitive) {
      for (; index < length; index++) {
        const code = text.charCodeAt(index);
        if (code === 44 || code === 93 || isJsonSpace(code)) return index;
      }
      return -1;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    while (index < length) {
      if (inString) {
        // Jump to the next quote; it closes the string unless an odd run of backslashes precedes
        // it. (A raw line break inside a string is invalid JSON: JSON.parse reports it, with its
        // position, when the element is parsed, so it need not be counted here.)
        if (escaped) {
          escaped = false;
          index++;
          continue;
        }
        const quote = text.indexOf('"', index);
        if (quote === -1) {
          let slashes = 0;
          for (let at = length - 1; at >= index && text.charCodeAt(at) === 92; at--) slashes++;
          escaped = slashes % 2 === 1;
          break;
        }
        let slashes = 0;
        for (let at = quote - 1; at >= index && text.charCodeAt(at) === 92; at--) slashes++;
        index = quote + 1;
        if (slashes % 2 === 1) continue;
        inString = false;
        if (this.kind === ValueKind.String) return index;
        continue;
      }
      const code = text.charCodeAt(index);
      if (code === LF) {
        this.line++;
        this.lineStart = this.base + index + 1;
      } else if (code === 34) inString = true;
      else if (code === 123 || code === 91) depth++;
      else if ((code === 125 || code === 93) && --depth === 0) return index + 1;
      index++;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return -1;
  }

  private emit(text: string): void {
    this.elements++;
    const parsed = parseJsonText(text);
    if ('message' in parsed) {
      const where =
        parsed.offset === undefined
          ? { line: this.valueLine, column: this.valueColumn }
          : locate(text, parsed.offset, this.valueLine, this.valueColumn);
      throw new ConfigurationError(`invalid JSON in element ${this.elements}: ${parsed.message}`, {
        file: this.file,
        ...where,
      });
    }
    if (!isRecord(parsed.value)) {
      throw new ConfigurationError(`element ${this.elements} is ${describeValue(parsed.value)}, expected an object`, {
        file: this.file,
        line: this.valueLine,
        column: this.valueColumn,
      });
    }
    checkRecordDepth(parsed.value, { file: this.file, line: this.valueLine, column: this.valueColumn });
    this.records.push(parsed.value);
    this.lines.push(this.valueLine);
  }

  end(): void {
    switch (this.state) {
      case ArrayState.BeforeArray:
        throw new ConfigurationError('the file is empty (no JSON array)', { file: this.file });
      case ArrayState.Done:
        return;
      case ArrayState.InValue:
        if (this.kind === ValueKind.Primitive) {
          this.emit(this.partial);
          this.partial = '';
        }
        throw new ConfigurationError(`the file ends inside element ${this.elements + 1} (which starts here)`, {
          file: this.file,
          line: this.valueLine,
          column: this.valueColumn,
        });
      default:
        throw new ConfigurationError('the file ends before the JSON array is closed', {
          file: this.file,
          line: this.line,
        });
    }
  }
}

/**
 * Collects the keys of records in first-seen order: the columns of a JSON dataset are the union of
 * its records' keys (as pandas' `read_json` makes them).
 */
export class JsonKeyCollector {
  private readonly seen = new Set<string>();
  records = 0;

  add(record: JsonRecord): void {
    this.records++;
    // Set keeps first-insertion order, and adding a key it holds changes nothing.
    for (const key in record) this.seen.add(key);
  }

  get keys(): string[] {
    return [...this.seen];
  }
}

/**
 * Turns records into rows in `columns` order: a missing key and JSON `null` are both missing
 * values (`null`). A key outside `columns` is an error (the file changed between the two passes).
 */
export function recordsToRows(batch: JsonRecordBatch, columns: readonly string[], file: string): Cell[][] {
  const width = columns.length;
  const rows: Cell[][] = new Array<Cell[]>(batch.records.length);
  batch.records.forEach((record, rowIndex) => {
    const row: Cell[] = new Array<Cell>(width);
    let found = 0;
    for (let index = 0; index < width; index++) {
      const value = record[columns[index]!];
      // A key the record lacks can still find an inherited member ("toString", "__proto__").
      if (value === undefined || typeof value === 'function' || value === Object.prototype) row[index] = null;
      else {
        row[index] = value as Cell;
        found++;
      }
    }
    if (found < Object.keys(record).length) {
      const extra = Object.keys(record).find((key) => !columns.includes(key));
      if (extra !== undefined) {
        throw new ConfigurationError(
          `key "${extra}" is not a column of the dataset (did the file change while it was read?)`,
          {
            file,
            line: batch.lines[rowIndex],
          },
        );
      }
    }
    rows[rowIndex] = row;
  });
  return rows;
}
