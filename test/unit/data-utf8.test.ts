// Strict UTF-8 for the small files users write (suites, gates, metrics, run records): a bad byte
// is one error with the file, line, column and byte offset, never replacement characters.
import { describe, expect, it } from 'vitest';
import { decodeUtf8File } from '../../src/core/data/utf8.js';
import { ConfigurationError } from '../../src/core/errors.js';

function failure(bytes: Uint8Array): string {
  try {
    decodeUtf8File(bytes, 'suite.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).located;
  }
  throw new Error('expected a ConfigurationError');
}

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('decodeUtf8File', () => {
  it('decodes valid UTF-8 and keeps a byte-order mark for the parser', () => {
    expect(decodeUtf8File(bytes([0xef, 0xbb, 0xbf], 'café: ✓\n'), 'x.yml')).toBe('\uFEFFcafé: ✓\n');
  });

  it('names the line, the column and the byte offset of the first bad byte', () => {
    // Line 2 starts at byte 9; "é" is two bytes but one column, so 0xff is column 7.
    expect(failure(bytes('{"a": 1,\n"é": "', [0xff], '"}'))).toBe(
      'suite.json:2:7: invalid UTF-8 (byte 0xff at offset 16)',
    );
  });

  it('reports a file cut inside a character, and UTF-16 with a hint', () => {
    expect(failure(bytes('name: caf', [0xc3]))).toBe('suite.json:1:10: invalid UTF-8 (byte 0xc3 at offset 9)');
    expect(failure(bytes([0xff, 0xfe], 'n\0'))).toBe(
      'suite.json:1:1: invalid UTF-8 (byte 0xff at offset 0); the file looks like UTF-16: save it as UTF-8',
    );
  });
});
