import { InputError } from '../errors.js';
import type { VersionSelector } from '../registry/contract.js';

/** What the `baseline` input asks for (docs/architecture.md: Baselines). */
export type BaselineSpec =
  | { kind: 'auto' }
  | { kind: 'none' }
  | { kind: 'file'; path: string }
  | { kind: 'git'; ref: string; path: string }
  | { kind: 'registry'; model: string; selector: VersionSelector };

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ALIAS_NAME = /^[A-Za-z][A-Za-z0-9._-]*$/;

/**
 * Parses `auto`, `none`, `file:<path>`, `git:<ref>:<path>`, `registry:<model>@<alias>` or
 * `registry:<model>@v<N>`. `label` names the input in errors (`Input "baseline"`, `--baseline`).
 */
export function parseBaselineSpec(raw: string, label = 'baseline'): BaselineSpec {
  const text = raw.trim();
  if (text === '' || text === 'auto') return { kind: 'auto' };
  if (text === 'none') return { kind: 'none' };
  const colon = text.indexOf(':');
  const scheme = colon === -1 ? '' : text.slice(0, colon);
  const rest = colon === -1 ? '' : text.slice(colon + 1);
  const expected =
    'expected auto, none, file:<path>, git:<ref>:<path>, registry:<model>@<alias> or registry:<model>@v<N>';
  switch (scheme) {
    case 'file':
      if (rest.trim() === '') throw new InputError(`${label}: "file:" needs a path, as in file:baseline/metrics.json.`);
      return { kind: 'file', path: rest.trim() };
    case 'git': {
      // Git ref names cannot contain ':', so the first ':' ends the ref.
      const split = rest.indexOf(':');
      const ref = split === -1 ? '' : rest.slice(0, split).trim();
      const path = split === -1 ? '' : rest.slice(split + 1).trim();
      if (!ref || !path) {
        throw new InputError(`${label}: "${text}" must be git:<ref>:<path>, as in git:origin/main:metrics.json.`);
      }
      if (ref.startsWith('-')) throw new InputError(`${label}: the git ref "${ref}" must not start with "-".`);
      return { kind: 'git', ref, path };
    }
    case 'registry': {
      const at = rest.lastIndexOf('@');
      const model = at === -1 ? rest.trim() : rest.slice(0, at).trim();
      const selector = at === -1 ? '' : rest.slice(at + 1).trim();
      if (!MODEL_NAME.test(model)) {
        throw new InputError(`${label}: "${model}" is not a valid model name in "${text}".`);
      }
      if (selector === '') {
        throw new InputError(`${label}: "${text}" needs an alias or version, as in registry:${model}@production.`);
      }
      const version = /^v?(\d+)$/.exec(selector);
      if (version) {
        const number = Number(version[1]);
        if (!Number.isSafeInteger(number) || number < 1) {
          throw new InputError(`${label}: version "${selector}" in "${text}" must be v1 or higher.`);
        }
        return { kind: 'registry', model, selector: { version: number } };
      }
      if (!ALIAS_NAME.test(selector)) {
        throw new InputError(`${label}: "${selector}" is not a valid alias in "${text}".`);
      }
      return { kind: 'registry', model, selector: { alias: selector } };
    }
    default:
      throw new InputError(`${label}: "${text}" is not a baseline; ${expected}.`);
  }
}

/** The canonical spelling of a spec, as the report shows it. */
export function formatBaselineSpec(spec: BaselineSpec): string {
  switch (spec.kind) {
    case 'auto':
    case 'none':
      return spec.kind;
    case 'file':
      return `file:${spec.path}`;
    case 'git':
      return `git:${spec.ref}:${spec.path}`;
    case 'registry':
      return 'alias' in spec.selector
        ? `registry:${spec.model}@${spec.selector.alias}`
        : `registry:${spec.model}@v${spec.selector.version}`;
  }
}
