import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `import { env } from 'node:process'` is process.env by another name. */
const PROCESS_ENV_IMPORTS = ['node:process', 'process'].map((name) => ({
  name,
  importNames: ['env'],
  message: 'Read variables through readEnvironment (src/adapters/environment.ts) and pass them down.',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/generated/', 'test/fixtures/', 'bench/.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // One environment reader: everything in src gets its variables from a RunEnvironment
    // (src/adapters/environment.ts readEnvironment) or an env argument, so tests can inject them.
    // environment.ts itself is the one reader of process.env (processVariables), which the two
    // entry points and git's child processes take their variables from.
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/environment.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read variables through readEnvironment (src/adapters/environment.ts) and pass them down.',
        },
      ],
      'no-restricted-imports': ['error', { paths: PROCESS_ENV_IMPORTS }],
    },
  },
  {
    // Type-aware rules, on the sources only: they find conditions the types already decide (an
    // unreachable `?? 'origin'` behind an input action.yml defaults) and promises nobody awaits.
    // They type-check the sources alone (tsconfig.lint.json): tests and scripts stay on the
    // syntactic set, which keeps `npm run lint` near 30 s of CPU on 2 cores (docs/testing.md).
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unnecessary-condition': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // The core is pure: it never touches the runner, GitHub or the process environment.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: PROCESS_ENV_IMPORTS,
          patterns: ['@actions/*', '@octokit/*', '**/adapters/**', 'node:child_process', 'child_process'],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'The core takes its environment as arguments.' },
      ],
    },
  },
);
