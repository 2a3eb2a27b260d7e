/**
 * One name per concept: no two modules in src export a declaration of the same name (two
 * `ArtifactStore`s, one for workflow artifacts and one for model files, read as one concept).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const DECLARATION =
  /^export\s+(?:declare\s+)?(?:async\s+)?(?:interface|type|function\*?|const\s+enum|enum|const|let|class|abstract\s+class)\s+([A-Za-z_$][\w$]*)/gm;

/** Every .ts file under src, without the generated code (validators are one module per schema). */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Exported declaration names mapped to the files declaring them. */
function exportedDeclarations(files: string[]): Map<string, string[]> {
  const declared = new Map<string, string[]>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(DECLARATION)) {
      const name = match[1]!;
      declared.set(name, [...(declared.get(name) ?? []), relative(root, file)]);
    }
  }
  return declared;
}

describe('exported names in src', () => {
  it('finds a doubled name (the check bites)', () => {
    const environment = join(root, 'src', 'adapters', 'environment.ts');
    const doubled = exportedDeclarations([environment, environment]);
    expect(doubled.get('readEnvironment')).toEqual(['src/adapters/environment.ts', 'src/adapters/environment.ts']);
  });

  it('declares each exported name in one module only', () => {
    const doubled = [...exportedDeclarations(sourceFiles(join(root, 'src')))]
      .filter(([, files]) => new Set(files).size > 1)
      .map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(doubled).toEqual([]);
  });
});
