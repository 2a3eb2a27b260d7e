/**
 * The Python interpreter a test file's child processes start, without a version manager's shim in
 * front of it.
 *
 * `python3` on PATH may be a pyenv shim: a bash script that starts dozens of helper processes
 * (about 0.9 s of CPU) before the interpreter itself (0.05 s). The train action asks `python3
 * --version` for every run's lineage, and a Python training script starts the interpreter again,
 * so a test file paid the shim once or twice per train run. {@link useRealPython} asks the shim
 * once for the interpreter it stands for (`sys.executable`) and puts a folder first on this test
 * process's PATH where `python3` and `python` are links to it: the same interpreter with the same
 * packages, which runBundle, runCliBundle and spawned demos inherit through PATH. Where `python3`
 * is a plain binary nothing changes, and nothing is started.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, readSync, closeSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The first `name` on `path` that this process may execute, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: the next folder
    }
  }
  return undefined;
}

/** True when `file` starts with `#!`: a script (a shim), not the interpreter itself. */
function isScript(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts the real interpreter behind `python3` first on `process.env.PATH` when `python3` is a
 * script, and returns the function that restores PATH and removes the links (call it in
 * afterAll). With `required`, a machine with no `python3` on PATH fails here, naming PATH,
 * rather than in the first test's child process.
 */
export function useRealPython({ required = false } = {}): () => void {
  const originalPath = process.env.PATH ?? '';
  const python3 = findOnPath('python3', originalPath);
  if (!python3) {
    if (required) throw new Error(`python3 is not on PATH (${originalPath}): this test file runs Python scripts.`);
    return () => {};
  }
  if (!isScript(python3)) return () => {};
  const executable = execFileSync(python3, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  if (!executable || isScript(executable)) {
    throw new Error(`${python3} named ${JSON.stringify(executable)} as its interpreter, which is not one.`);
  }
  const links = mkdtempSync(join(tmpdir(), 'mlops-python-'));
  symlinkSync(executable, join(links, 'python3'));
  symlinkSync(executable, join(links, 'python'));
  process.env.PATH = `${links}${delimiter}${originalPath}`;
  return () => {
    process.env.PATH = originalPath;
    rmSync(links, { recursive: true, force: true });
  };
}
