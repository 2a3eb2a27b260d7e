// Writes the precompiled JSON Schema validators (ajv standalone code) into src/generated/validators/,
// a folder git ignores: registry.js (schemas/registry/*.schema.json), suite.js
// (schemas/expectation-suite.schema.json), gates.js (schemas/gates.schema.json) and drift.js
// (schemas/drift-config.schema.json, schemas/drift-profile.schema.json), each with a
// .d.ts. They are derived files, so they are not committed; whatever needs them makes them first:
// `npm run bundle` (scripts/build.mjs), `npm run lint` and `npm run typecheck` (their pre-scripts),
// and every vitest run (test/support/global-setup.ts). A file is rewritten only when its text
// changes, so tools watching mtimes see no churn.
//
//   node scripts/gen-validators.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the generated validators go (ignored by git, eslint and prettier). */
export const VALIDATORS_DIR = join(root, 'src', 'generated', 'validators');

/** Every generated module, by file name (without extension): its text and its declarations. */
export async function generateAllValidators() {
  const [registry, suite, gates, drift] = await Promise.all([
    import('../schemas/registry/generate-validators.mjs'),
    import('../schemas/generate-suite-validator.mjs'),
    import('../schemas/generate-gates-validator.mjs'),
    import('../schemas/generate-drift-validators.mjs'),
  ]);
  const [registryModule, suiteModule, gatesModule, driftModule] = await Promise.all([
    registry.generateValidators(),
    suite.generateSuiteValidator(),
    gates.generateGatesValidator(),
    drift.generateDriftValidators(),
  ]);
  return { registry: registryModule, suite: suiteModule, gates: gatesModule, drift: driftModule };
}

/** Writes `text` to `file` unless it already holds exactly that; true when it wrote. */
function writeIfChanged(file, text) {
  let current;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return false;
  writeFileSync(file, text);
  return true;
}

/** Generates every validator into VALIDATORS_DIR; returns the files it (re)wrote. */
export async function writeAllValidators() {
  mkdirSync(VALIDATORS_DIR, { recursive: true });
  const written = [];
  for (const [name, { js, types }] of Object.entries(await generateAllValidators())) {
    for (const [file, text] of [
      [join(VALIDATORS_DIR, `${name}.js`), js],
      [join(VALIDATORS_DIR, `${name}.d.ts`), types],
    ]) {
      if (writeIfChanged(file, text)) written.push(relative(root, file));
    }
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = await writeAllValidators();
  console.log(written.length ? `validators: wrote ${written.join(', ')}` : 'validators: up to date');
}
