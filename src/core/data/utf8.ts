/**
 * Strict, streaming UTF-8 decoding for the text readers. A chunk boundary may split a character:
 * the incomplete tail is carried to the next chunk. Invalid input is reported with the offset of
 * the first bad byte, which TextDecoder alone does not give.
 */
import { ConfigurationError } from '../errors.js';

/** Thrown by {@link decodeUtf8} after the valid text before the bad byte has been yielded. */
export class InvalidUtf8Error extends Error {
  constructor(
    /** 0-based offset of the first invalid byte in the whole byte stream. */
    readonly offset: number,
    /** The invalid byte, or undefined when the stream ended inside a character. */
    readonly byte: number | undefined,
    /** A hint for well-known causes (UTF-16 byte-order marks). */
    readonly hint: string,
  ) {
    super(
      byte === undefined
        ? `invalid UTF-8 (the data ends inside a multi-byte character at offset ${offset})`
        : `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset})${hint}`,
    );
    this.name = 'InvalidUtf8Error';
  }
}

/**
 * Length (0-3) of a character started at the end of `bytes` but not finished there. Continuation
 * bytes are 10xxxxxx; a lead byte 110xxxxx needs 2 bytes, 1110xxxx 3, 11110xxx 4.
 */
export function incompleteTailLength(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0xc0) return 0;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return needed > back ? back : 0;
  }
  return 0;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 when all is valid. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  const length = bytes.length;
  let index = 0;
  while (index < length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index++;
      continue;
    }
    let needed: number;
    let min: number;
    if (lead >= 0xc2 && lead <= 0xdf) {
      needed = 1;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      min = 0x10000;
    } else {
      return index;
    }
    if (index + needed >= length) return index;
    let codePoint = lead & (0x3f >> needed);
    for (let next = 1; next <= needed; next++) {
      const byte = bytes[index + next]!;
      if ((byte & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (byte & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += needed + 1;
  }
  return -1;
}

function utf16Hint(bytes: Uint8Array, offset: number): string {
  if (offset !== 0 || bytes.length < 2) return '';
  const [first, second] = [bytes[0], bytes[1]];
  if ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff)) {
    return '; the file looks like UTF-16: save it as UTF-8';
  }
  return '';
}

/**
 * Decodes a byte stream as UTF-8, yielding one string per chunk (a leading byte-order mark is
 * dropped). On invalid input it first yields the valid text before the bad byte, then throws
 * {@link InvalidUtf8Error}, so that a parser fed the text knows the line and column reached.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let carry: Uint8Array | undefined;
  let consumed = 0; // bytes before `carry` / the current chunk
  let first = true;
  for await (const chunk of chunks) {
    const bytes: Uint8Array = carry ? concatBytes(carry, chunk) : chunk;
    carry = undefined;
    if (bytes.length === 0) continue;
    const tail = incompleteTailLength(bytes);
    const complete = tail ? bytes.subarray(0, bytes.length - tail) : bytes;
    let text: string;
    try {
      // Non-streaming decode of whole characters: the BOM is stripped only on the first call.
      text = first ? decoder.decode(complete) : decodeNoBom(complete);
    } catch {
      const bad = findInvalidUtf8(complete);
      const at = bad < 0 ? 0 : bad;
      const prefix = first ? decoder.decode(complete.subarray(0, at)) : decodeNoBom(complete.subarray(0, at));
      if (prefix) yield prefix;
      throw new InvalidUtf8Error(consumed + at, complete[at], first ? utf16Hint(complete, at) : '');
    }
    if (complete.length > 0) first = false;
    if (tail) carry = bytes.slice(bytes.length - tail);
    consumed += complete.length;
    if (text) yield text;
  }
  if (carry) throw new InvalidUtf8Error(consumed, undefined, '');
}

const noBomDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeNoBom(bytes: Uint8Array): string {
  return noBomDecoder.decode(bytes);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

const wholeTextDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a whole small file (a suite, gates, metrics, a run record) as strict UTF-8; a
 * byte-order mark is kept, for the parsers to drop. Invalid UTF-8 is a ConfigurationError naming
 * the file, the line and column and the byte offset: decoding it with replacement characters
 * would turn a broken file into a verdict on text nobody wrote.
 */
export function decodeUtf8File(bytes: Uint8Array, file: string): string {
  try {
    return wholeTextDecoder.decode(bytes);
  } catch (cause) {
    const found = findInvalidUtf8(bytes);
    const offset = found < 0 ? bytes.length : found;
    const before = wholeTextDecoder.decode(bytes.subarray(0, offset));
    const lineStart = before.lastIndexOf('\n') + 1;
    let line = 1;
    for (let index = before.indexOf('\n'); index !== -1; index = before.indexOf('\n', index + 1)) line++;
    const error = new InvalidUtf8Error(offset, bytes[offset], utf16Hint(bytes, offset));
    throw new ConfigurationError(error.message, { file, line, column: before.length - lineStart + 1 }, { cause });
  }
}
