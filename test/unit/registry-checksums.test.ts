/**
 * sha256sumLine: the checksums line register writes is byte for byte what GNU sha256sum prints for
 * a file of that name, escapes included, so `sha256sum -c` reads back the same name.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256sumLine } from '../../src/core/registry/checksums.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-sha256sum-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('sha256sumLine', () => {
  it.each([['model.bin'], ['model.tar.gz'], ['two  spaces'], ['line\nbreak'], ['carriage\rreturn'], ['back\\slash']])(
    'prints what sha256sum prints for %j',
    (name) => {
      const content = `weights of ${name}\n`;
      writeFileSync(join(scratch, name), content);
      const expected = execFileSync('sha256sum', ['--', name], { cwd: scratch, encoding: 'utf8' });
      const digest = createHash('sha256').update(content).digest('hex');
      expect(sha256sumLine(digest, name)).toBe(expected);
      writeFileSync(join(scratch, 'SUMS'), sha256sumLine(digest, name));
      expect(() => execFileSync('sha256sum', ['-c', '--status', 'SUMS'], { cwd: scratch })).not.toThrow();
    },
  );

  it('refuses what is not a lower-case hex sha256, or no name', () => {
    expect(() => sha256sumLine('ABC', 'model.bin')).toThrow(/"ABC" is not a sha256 in hex/);
    expect(() => sha256sumLine('a'.repeat(64), '')).toThrow(/needs a file name/);
  });
});
