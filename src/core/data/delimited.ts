/**
 * A streaming CSV/TSV parser (RFC 4180) over bytes, in constant memory.
 *
 * - Fields may be quoted with `"`; a doubled quote inside a quoted field is one quote; quoted fields
 *   may hold delimiters and line breaks (LF, CRLF or CR).
 * - Records end with LF, CRLF or CR; the last record may lack a line break. Blank lines are skipped
 *   (as pandas does); line numbers count every line break outside and inside quoted fields.
 * - A UTF-8 byte-order mark is dropped; invalid UTF-8 is an error naming the byte and its offset.
 * - The first non-blank record is the header. Empty names become `Unnamed: <index>` and repeated
 *   names get `.1`, `.2`, … as pandas does, so that suites written against pandas see the same names.
 * - Cells are strings; empty cells and pandas' NA tokens (`NA`, `null`, `NaN`, …) are `null`.
 * - Lenient where pandas is lenient: a quote inside an unquoted field is a literal character, and
 *   text after a closing quote is appended to the field (`"ab"c` reads as `abc`).
 * - Strict where silent repair would change the data: a record with more or fewer fields than the
 *   header, an unterminated quoted field and invalid UTF-8 are errors naming the file and line.
 *
 * The hot loop scans characters with `charCodeAt` and slices whole fields out of each decoded chunk;
 * only a field that spans two chunks is concatenated.
 */
import { ConfigurationError } from '../errors.js';
import type { Cell } from './dataset.js';
import { decodeUtf8, InvalidUtf8Error } from './utf8.js';
import { isNaToken, PANDAS_NA_TOKENS } from './values.js';

/** Options of {@link parseDelimited}. */
export interface DelimitedOptions {
  /** The file name used in error messages. */
  file: string;
  /** The field delimiter (one character). Sniffed from `,` `\t` `;` `|` when not given. */
  delimiter?: string;
  /** Text cells read as missing values; pandas' defaults ({@link PANDAS_NA_TOKENS}) when not given. */
  missing?: readonly string[];
  /** Rows per batch, at least (batches hold the rows of whole decoded chunks). Default 2048. */
  batchSize?: number;
  /** Longest field accepted, in characters (default 16 Mi): a guard against a stray quote swallowing a whole file. */
  maxFieldLength?: number;
}

/** Rows parsed from one file, with the line where each starts. */
export interface ParsedBatch {
  rows: Cell[][];
  /** 1-based line where each row starts. */
  lines: number[];
}

/** A header column whose name was changed to make it usable (empty or repeated). */
export interface RenamedColumn {
  index: number;
  from: string;
  to: string;
}

/** A delimited file whose header has been read; its rows stream from `batches`. */
export interface DelimitedTable {
  columns: string[];
  /** The delimiter used (given or sniffed). */
  delimiter: string;
  /** 1-based line of the header row. */
  headerLine: number;
  /** Columns renamed from the header (empty or duplicate names). */
  renamed: RenamedColumn[];
  /** The rows, streamed once. */
  batches: AsyncIterable<ParsedBatch>;
  /** Stops reading (closes the underlying stream) without iterating `batches`. */
  close(): Promise<void>;
}

/** Delimiters tried by the sniffer, in order of preference on a tie. */
export const SNIFFED_DELIMITERS: readonly string[] = [',', '\t', ';', '|'];

const LF = 10;
const CR = 13;
const QUOTE = 34;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote was seen inside a quoted field: it either closes the field or starts a doubled quote. */
  QuoteInQuoted,
}

const DEFAULT_BATCH_SIZE = 2048;
/** Longest field accepted by default, in characters; JSON Lines applies it to strings too. */
export const DEFAULT_MAX_FIELD_LENGTH = 16 * 1024 * 1024;
const SNIFF_CHARS = 64 * 1024;
const SNIFF_LINES = 50;

/**
 * Reads the header of a delimited text stream and returns the columns with a stream of row
 * batches. Throws a `ConfigurationError` naming the file and line for an empty file, a ragged row,
 * an unterminated quoted field, invalid UTF-8 or an over-long field.
 */
export async function parseDelimited(
  chunks: AsyncIterable<Uint8Array>,
  options: DelimitedOptions,
): Promise<DelimitedTable> {
  const { file } = options;
  if (options.delimiter !== undefined && options.delimiter.length !== 1) {
    throw new ConfigurationError(`the delimiter must be one character, got ${JSON.stringify(options.delimiter)}`, {
      file,
    });
  }
  const texts = decodeUtf8(chunks)[Symbol.asyncIterator]();
  let parser: DelimitedParser | undefined;
  // Set inside nextText(); `as boolean` keeps TypeScript from narrowing it to false for good.
  let done = false as boolean;
  let delimiter: string;
  const sample: string[] = [];

  /** The next decoded text, or undefined at the end; decoding errors get the parser's position. */
  const nextText = async (): Promise<string | undefined> => {
    try {
      const result = await texts.next();
      if (result.done) {
        done = true;
        return undefined;
      }
      return result.value;
    } catch (error) {
      done = true;
      if (error instanceof InvalidUtf8Error) {
        const where = parser ? parser.position() : positionAfter(sample.join(''));
        throw new ConfigurationError(error.message, { file, ...where }, { cause: error });
      }
      throw error;
    }
  };

  try {
    // Sniff the delimiter from the first lines, then parse until the header is complete.
    let sampled = 0;
    let newlines = 0;
    while (sampled < SNIFF_CHARS && newlines < SNIFF_LINES) {
      const text = await nextText();
      if (text === undefined) break;
      sample.push(text);
      sampled += text.length;
      newlines += countNewlines(text, SNIFF_LINES);
    }
    delimiter = options.delimiter ?? sniffDelimiter(sample.join(''), done);
    parser = new DelimitedParser(file, delimiter, options);
    for (const text of sample) parser.push(text);
    sample.length = 0;
    while (parser.header === undefined && !done) {
      const text = await nextText();
      if (text === undefined) break;
      parser.push(text);
    }
    if (done) parser.end();
    if (parser.header === undefined) throw new ConfigurationError('the file is empty (no header row)', { file });
  } catch (error) {
    await texts.return(undefined);
    throw error;
  }

  const ready = parser;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  async function* batches(): AsyncGenerator<ParsedBatch> {
    try {
      for (;;) {
        if (ready.rows.length >= batchSize || (done && ready.rows.length > 0)) yield ready.takeBatch();
        if (done) return;
        const text = await nextText();
        if (text === undefined) ready.end();
        else ready.push(text);
      }
    } finally {
      await texts.return(undefined);
    }
  }
  return {
    columns: ready.header!,
    delimiter,
    headerLine: ready.headerLine,
    renamed: ready.renamed,
    batches: batches(),
    close: async () => {
      await texts.return(undefined);
    },
  };
}

/** The line and column just after `text` (line breaks: LF, CRLF, CR). */
function positionAfter(text: string): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === CR || (code === LF && text.charCodeAt(index - 1) !== CR)) line++;
    if (code === CR || code === LF) lineStart = index + 1;
  }
  return { line, column: text.length - lineStart + 1 };
}

function countNewlines(text: string, limit: number): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1 && count < limit; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/**
 * Picks the delimiter of a sample: for each candidate, the number of occurrences outside quotes on
 * each non-blank line; a candidate is consistent when every line has the same non-zero count.
 * The consistent candidate giving the most fields wins (ties go to `,` `\t` `;` `|` in that order);
 * with none consistent, the one most frequent on the header line; with none present, `,`.
 * `complete` says whether the sample is the whole file (otherwise its last line may be cut).
 */
export function sniffDelimiter(sample: string, complete = true): string {
  const codes = SNIFFED_DELIMITERS.map((candidate) => candidate.charCodeAt(0));
  const perLine: number[][] = [];
  let counts = codes.map(() => 0);
  let inQuotes = false;
  let lineHasContent = false;
  for (let index = 0; index < sample.length && perLine.length < SNIFF_LINES; index++) {
    const code = sample.charCodeAt(index);
    if (code === QUOTE) {
      inQuotes = !inQuotes;
      lineHasContent = true;
    } else if (!inQuotes && (code === LF || code === CR)) {
      if (lineHasContent) perLine.push(counts);
      counts = codes.map(() => 0);
      lineHasContent = false;
    } else {
      lineHasContent = true;
      if (!inQuotes) {
        const at = codes.indexOf(code);
        if (at !== -1) counts[at]!++;
      }
    }
  }
  if (lineHasContent && (complete || perLine.length === 0)) perLine.push(counts);
  if (perLine.length === 0) return ',';
  let best = -1;
  let bestCount = 0;
  for (let candidate = 0; candidate < codes.length; candidate++) {
    const first = perLine[0]![candidate]!;
    if (first === 0 || !perLine.every((line) => line[candidate] === first)) continue;
    if (first > bestCount) {
      best = candidate;
      bestCount = first;
    }
  }
  if (best === -1) {
    const header = perLine[0]!;
    for (let candidate = 0; candidate < codes.length; candidate++) {
      if (header[candidate]! > bestCount) {
        best = candidate;
        bestCount = header[candidate]!;
      }
    }
  }
  return best === -1 ? ',' : SNIFFED_DELIMITERS[best]!;
}

/**
 * Makes header names usable as pandas' `read_csv` does (pandas 1.5-2.x, `mangle_dupe_cols`): an
 * empty name becomes `Unnamed: <index>`; a repeated name gets the first suffix `.1`, `.2`, … that
 * no other header name has, given names first and unnamed columns last.
 */
export function dedupeHeader(header: readonly string[]): { columns: string[]; renamed: RenamedColumn[] } {
  const names = header.map((name, index) => (name === '' ? `Unnamed: ${index}` : name));
  const unnamed = header.flatMap((name, index) => (name === '' ? [index] : []));
  const order = [...header.keys()].filter((index) => header[index] !== '').concat(unnamed);
  const counts = new Map<string, number>();
  for (const index of order) {
    const original = names[index]!;
    let name = original;
    let count = counts.get(name) ?? 0;
    while (count > 0) {
      counts.set(original, count + 1);
      name = `${original}.${count}`;
      count = names.includes(name) ? count + 1 : (counts.get(name) ?? 0);
    }
    names[index] = name;
    counts.set(name, count + 1);
  }
  const renamed = names.flatMap((to, index) => (to === header[index] ? [] : [{ index, from: header[index]!, to }]));
  return { columns: names, renamed };
}

/** True for text made only of spaces and tabs: pandas skips such lines as blank. */
function isBlank(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 32 && code !== 9) return false;
  }
  return true;
}

/** The incremental state machine. Text is pushed chunk by chunk; complete rows collect in `rows`. */
class DelimitedParser {
  header: string[] | undefined;
  headerLine = 1;
  renamed: RenamedColumn[] = [];
  rows: Cell[][] = [];
  lines: number[] = [];

  private readonly delimiter: number;
  private readonly delimiterText: string;
  private readonly isMissing: (text: string) => boolean;
  private readonly maxFieldLength: number;
  private width = 0;
  private state = State.FieldStart;
  private row: Cell[] = [];
  /** Fields of the current row past the header's width (counted, not kept). */
  private extraFields = 0;
  /** Text of the current field carried from earlier chunks (or gathered around doubled quotes). */
  private partial = '';
  private line = 1;
  private rowLine = 1;
  /** Absolute character offset where the current line starts, and where the current chunk starts. */
  private lineStart = 0;
  private base = 0;
  private lastWasCR = false;
  private chunkHasCR = false;
  /** Whether the current row has a quoted field (a quoted blank is a value, not a blank line). */
  private rowQuoted = false;
  private quoteLine = 0;
  private quoteColumn = 0;

  constructor(
    private readonly file: string,
    delimiter: string,
    options: DelimitedOptions,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter;
    if (this.delimiter === QUOTE || this.delimiter === LF || this.delimiter === CR) {
      throw new ConfigurationError(`the delimiter cannot be ${JSON.stringify(delimiter)}`, { file });
    }
    const missing = options.missing;
    if (missing === undefined || missing === PANDAS_NA_TOKENS) {
      this.isMissing = isNaToken;
    } else {
      const set = new Set(missing);
      this.isMissing = (text) => set.has(text);
    }
    this.maxFieldLength = options.maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH;
  }

  /** Where the parser is: the line and column after the last character pushed. */
  position(): { line: number; column: number } {
    return { line: this.line, column: this.base - this.lineStart + 1 };
  }

  /** Hands over the rows parsed so far. */
  takeBatch(): ParsedBatch {
    const batch = { rows: this.rows, lines: this.lines };
    this.rows = [];
    this.lines = [];
    return batch;
  }

  /**
   * Parses a chunk of text. Whole lines free of quotes and lone CRs go through the fast path
   * ({@link fastRow}); the rest of a line, or a record spanning chunks, through the state machine
   * ({@link slowPath}). They are separate methods so that each is optimised on its own feedback.
   */
  push(text: string): void {
    const length = text.length;
    // Most files have no CR at all, or only in CRLF: one search per chunk settles that.
    this.chunkHasCR = text.indexOf('\r') !== -1;
    // Next quote and CR at or after `index` (`length` when none).
    let nextQuote = -1;
    let nextCR = this.chunkHasCR ? -1 : length;
    let index = 0;
    while (index < length) {
      if (this.state === State.FieldStart && this.row.length === 0 && this.header !== undefined) {
        const newline = text.indexOf('\n', index);
        // (An empty line, or the LF of a CRLF whose CR ended the last record, takes the slow path.)
        if (newline > index) {
          if (nextQuote < index) {
            nextQuote = text.indexOf('"', index);
            if (nextQuote === -1) nextQuote = length;
          }
          if (nextCR < index) {
            nextCR = text.indexOf('\r', index);
            if (nextCR === -1) nextCR = length;
          }
          const lineEnd = nextCR === newline - 1 ? newline - 1 : newline;
          if (nextQuote > lineEnd && nextCR >= lineEnd) {
            if (lineEnd > index) this.fastRow(text, index, lineEnd);
            this.line++;
            this.rowLine = this.line;
            this.lineStart = this.base + newline + 1;
            index = newline + 1;
            continue;
          }
          // A quote further on: split the fields before the one holding it the fast way, and
          // leave the rest of the line to the state machine.
          const boundary = nextQuote < lineEnd ? text.lastIndexOf(this.delimiterText, nextQuote) : -1;
          if (boundary >= index && nextCR > boundary) this.fastFields(text, index, boundary);
          index = this.slowPath(text, boundary >= index && nextCR > boundary ? boundary + 1 : index, index);
          continue;
        }
      }
      index = this.slowPath(text, index, index);
    }
    if (length > 0) this.lastWasCR = text.charCodeAt(length - 1) === CR;
    this.base += length;
  }

  /** Splits fields from `start` up to the delimiter at `boundary` (no quote, no line break between). */
  private fastFields(text: string, start: number, boundary: number): void {
    for (let from = start; ;) {
      let to = text.indexOf(this.delimiterText, from);
      if (to > boundary) to = boundary;
      this.field(text.slice(from, to));
      from = to + 1;
      if (to === boundary) break;
    }
  }

  /**
   * The RFC 4180 state machine, from `index` (where a field continues from the last chunk, it
   * starts at `fieldStart`) to the end of the current record or of the chunk. Returns the index
   * where it stopped.
   */
  private slowPath(text: string, index: number, fieldStart: number): number {
    const length = text.length;
    const delimiter = this.delimiter;
    let state = this.state;
    if (state === State.FieldStart) fieldStart = index;
    while (index < length) {
      if (state === State.FieldStart) {
        const code = text.charCodeAt(index);
        if (code === QUOTE) {
          state = State.Quoted;
          this.rowQuoted = true;
          this.quoteLine = this.line;
          this.quoteColumn = this.base + index - this.lineStart + 1;
          fieldStart = ++index;
          continue;
        }
        if (code === delimiter) {
          this.field('');
          index++;
          continue;
        }
        if (code === LF || code === CR) {
          if (this.row.length > 0) {
            this.field('');
            this.endRow();
          }
          this.newline(text, index, code);
          this.rowLine = this.line;
          this.state = State.FieldStart;
          return index + 1;
        }
        state = State.Unquoted;
        fieldStart = index;
      }

      if (state === State.Unquoted) {
        let end = index;
        let code = 0;
        while (end < length) {
          code = text.charCodeAt(end);
          if (code === delimiter || code === LF || code === CR) break;
          end++;
        }
        if (end === length) {
          this.state = state;
          this.carry(text, fieldStart, length);
          return length;
        }
        this.field(this.partial === '' ? text.slice(fieldStart, end) : this.partial + text.slice(fieldStart, end));
        this.partial = '';
        state = State.FieldStart;
        index = end + 1;
        if (code !== delimiter) {
          this.endRow();
          this.newline(text, end, code);
          this.rowLine = this.line;
          this.state = State.FieldStart;
          return index;
        }
        continue;
      }

      if (state === State.Quoted) {
        let end = text.indexOf('"', index);
        if (end === -1) end = length;
        const newline = this.chunkHasCR ? index : text.indexOf('\n', index);
        if (newline !== -1 && newline < end) {
          // Line breaks inside the quoted field: count them for line numbers.
          for (let at = index; at < end; at++) {
            const code = text.charCodeAt(at);
            if (code === LF || code === CR) this.newline(text, at, code);
          }
        }
        if (end === length) {
          this.state = state;
          this.carry(text, fieldStart, length);
          return length;
        }
        if (end > fieldStart) this.partial += text.slice(fieldStart, end);
        state = State.QuoteInQuoted;
        index = end + 1;
        continue;
      }

      // State.QuoteInQuoted
      const code = text.charCodeAt(index);
      if (code === QUOTE) {
        this.partial += '"';
        state = State.Quoted;
        fieldStart = ++index;
        continue;
      }
      if (code === delimiter) {
        this.field(this.partial);
        this.partial = '';
        state = State.FieldStart;
        index++;
        continue;
      }
      if (code === LF || code === CR) {
        this.field(this.partial);
        this.partial = '';
        this.endRow();
        this.newline(text, index, code);
        this.rowLine = this.line;
        this.state = State.FieldStart;
        return index + 1;
      }
      // Text after a closing quote: kept, as pandas and Python's csv module do.
      state = State.Unquoted;
      fieldStart = index;
    }
    this.state = state;
    return length;
  }

  /** Finishes the last record at the end of the input. */
  end(): void {
    switch (this.state) {
      case State.Quoted:
        throw new ConfigurationError('unterminated quoted field (opened here)', {
          file: this.file,
          line: this.quoteLine,
          column: this.quoteColumn,
        });
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.field(this.partial);
        this.partial = '';
        this.endRow();
        break;
      case State.FieldStart:
        if (this.row.length > 0) {
          this.field('');
          this.endRow();
        }
        break;
    }
    this.state = State.FieldStart;
  }

  private carry(text: string, from: number, to: number): void {
    if (to > from) this.partial += text.slice(from, to);
    if (this.partial.length > this.maxFieldLength) {
      const quoted = this.state === State.Quoted || this.state === State.QuoteInQuoted;
      throw new ConfigurationError(
        quoted
          ? `quoted field longer than ${this.maxFieldLength} characters: probably an unterminated quote (opened here)`
          : `field longer than ${this.maxFieldLength} characters: is this a delimited text file?`,
        quoted
          ? { file: this.file, line: this.quoteLine, column: this.quoteColumn }
          : { file: this.file, line: this.rowLine },
      );
    }
  }

  /** Counts a line break at `index` (LF, CR, or the LF of a CRLF, which is not counted again). */
  private newline(text: string, index: number, code: number): void {
    if (code === LF && (index > 0 ? text.charCodeAt(index - 1) === CR : this.lastWasCR)) {
      this.lineStart = this.base + index + 1;
      return;
    }
    this.line++;
    this.lineStart = this.base + index + 1;
  }

  /** Splits one line known to hold no quote and no CR, from `start` to `end` (exclusive). */
  private fastRow(text: string, start: number, end: number): void {
    const delimiter = this.delimiterText;
    const width = this.width;
    const isMissing = this.isMissing;
    const row: Cell[] = [];
    let from = start;
    let fields = 0;
    for (;;) {
      let to = text.indexOf(delimiter, from);
      if (to === -1 || to > end) to = end;
      if (fields < width) {
        const value = text.slice(from, to);
        row.push(isMissing(value) ? null : value);
      }
      fields++;
      if (to === end) break;
      from = to + 1;
    }
    if (fields === 1 && typeof row[0] === 'string' && isBlank(row[0])) return;
    if (fields !== width) {
      throw new ConfigurationError(`row has ${fields} field${fields === 1 ? '' : 's'}, the header has ${width}`, {
        file: this.file,
        line: this.rowLine,
      });
    }
    this.rows.push(row);
    this.lines.push(this.rowLine);
  }

  private field(text: string): void {
    if (this.header === undefined) {
      this.row.push(text);
    } else if (this.row.length < this.width) {
      this.row.push(this.isMissing(text) ? null : text);
    } else {
      this.extraFields++;
    }
  }

  private endRow(): void {
    const row = this.row;
    this.row = [];
    const quoted = this.rowQuoted;
    this.rowQuoted = false;
    if (row.length + this.extraFields === 1 && !quoted && typeof row[0] === 'string' && isBlank(row[0])) return;
    if (this.header === undefined) {
      const { columns, renamed } = dedupeHeader(row as string[]);
      this.header = columns;
      this.renamed = renamed;
      this.width = columns.length;
      this.headerLine = this.rowLine;
      return;
    }
    if (row.length !== this.width || this.extraFields > 0) {
      const fields = row.length + this.extraFields;
      throw new ConfigurationError(`row has ${fields} field${fields === 1 ? '' : 's'}, the header has ${this.width}`, {
        file: this.file,
        line: this.rowLine,
      });
    }
    this.rows.push(row);
    this.lines.push(this.rowLine);
  }
}
