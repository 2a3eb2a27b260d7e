// Builds dist/<action>/index.js for every action and dist/cli/index.js: ESM bundles with shared
// chunks, runnable with no node_modules beside them. Deterministic: the same sources give the same
// bytes, which the dist freshness check in CI relies on.
import { build } from 'esbuild';
import { rmSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join, dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts', 'gen-action-meta.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'scripts', 'gen-expectation-kwargs.mjs')], { stdio: 'inherit' });
// The precompiled schema validators are not committed: every build makes them from the schemas.
execFileSync(process.execPath, [join(root, 'scripts', 'gen-validators.mjs')], { stdio: 'inherit' });

const entryPoints = {};
for (const name of readdirSync(join(root, 'src', 'actions')).sort()) {
  const entry = join(root, 'src', 'actions', name, 'index.ts');
  if (existsSync(entry)) entryPoints[`${name}/index`] = entry;
}
entryPoints['cli/index'] = join(root, 'src', 'cli', 'index.ts');

/**
 * @actions/core imports its OIDC client (and with it @actions/http-client and undici, ~800 KB) and
 * its platform module (@actions/exec) at load time, though mlops uses neither. These shims keep
 * the same exports but load the real modules on first use, so they land in chunks that a normal
 * run never parses. Its file-command module imports node:crypto (all of it, ~7 ms on Node 20)
 * for one randomUUID() per output; the shim loads crypto on that first call. That is what keeps
 * start-up within 1.6x of bare node (bench/cold-start).
 */
const lazyActionsCore = {
  name: 'lazy-actions-core',
  setup(pluginBuild) {
    const coreDir = dirname(fileURLToPath(import.meta.resolve('@actions/core')));
    const shims = {
      crypto: () =>
        `export function randomUUID() {
          return process.getBuiltinModule('node:crypto').randomUUID();
        }`,
      './oidc-utils.js': (real) =>
        `export class OidcClient {
          static async getIDToken(audience) {
            const { OidcClient: Real } = await import(${JSON.stringify(real)});
            return Real.getIDToken(audience);
          }
        }`,
      './platform.js': (real) =>
        `import os from 'node:os';
        export const platform = os.platform();
        export const arch = os.arch();
        export const isWindows = platform === 'win32';
        export const isMacOS = platform === 'darwin';
        export const isLinux = platform === 'linux';
        export async function getDetails() {
          const real = await import(${JSON.stringify(real)});
          return real.getDetails();
        }`,
    };
    pluginBuild.onResolve({ filter: /^\.\/(oidc-utils|platform)\.js$/ }, (args) => {
      if (args.kind === 'dynamic-import' || resolve(args.resolveDir) !== coreDir) return undefined;
      return { path: args.path, namespace: 'lazy-actions-core', pluginData: { real: join(coreDir, args.path) } };
    });
    pluginBuild.onResolve({ filter: /^crypto$/ }, (args) => {
      if (resolve(args.resolveDir) !== coreDir || !/file-command\.js$/.test(args.importer)) return undefined;
      return { path: args.path, namespace: 'lazy-actions-core', pluginData: {} };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-actions-core' }, (args) => ({
      contents: shims[args.path](args.pluginData.real),
      resolveDir: coreDir,
      loader: 'js',
    }));
  },
};

// --outdir lets a test run build a private copy without disturbing dist/.
const outdirFlag = process.argv.indexOf('--outdir');
const outdirArg = outdirFlag === -1 ? undefined : process.argv[outdirFlag + 1];
if (outdirFlag !== -1 && !outdirArg) throw new Error('--outdir needs a folder: node scripts/build.mjs --outdir DIR');
const outdir = outdirArg === undefined ? join(root, 'dist') : resolve(outdirArg);
// The folder is emptied first: refuse one that holds the sources (`--outdir .`, a typo, `/`).
const fromOutdir = relative(outdir, root);
if (!fromOutdir.startsWith('..') && !isAbsolute(fromOutdir)) {
  throw new Error(`--outdir ${outdir} contains the repository; choose a folder of its own.`);
}
// The root-level <name>/action.yml copies (the short form `uses: OWNER/mlops/<name>@v1`) point
// into dist/, so only a build of dist/ itself writes them; a private --outdir build leaves them.
// The generator prints its one-line error (file:line:column) itself; no stack trace after it.
if (outdirArg === undefined) {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'gen-root-actions.mjs')], { stdio: 'inherit' });
  } catch {
    process.exit(1);
  }
}
rmSync(outdir, { recursive: true, force: true });
const started = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyActionsCore],
  // ESM bundles of CommonJS dependencies call require() (of Node.js built-ins: everything else is
  // bundled); give them one, created on first use so that no file imports node:module up front.
  banner: {
    js: 'function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}',
  },
});
// dist/ says it is ESM itself, so that it runs the same from any folder: without this, a copy
// outside the repository makes Node parse every file twice (as CommonJS, then as a module).
writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
const outputs = Object.entries(result.metafile.outputs);
const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
console.log(
  `built ${Object.keys(entryPoints).length} entry points, ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB in ${Date.now() - started} ms`,
);
