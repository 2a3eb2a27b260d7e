/** Types for scripts/gen-action-meta.mjs, so TypeScript tests can import it. */
export interface GeneratedInputMeta {
  description: string;
  required: boolean;
  default?: string;
}

export interface GeneratedActionMeta {
  name: string;
  description: string;
  inputs: Record<string, GeneratedInputMeta>;
  outputs: Record<string, { description: string }>;
}

/** Reads every actions/<name>/action.yml that has an entry point of its own (runs.using node24). */
export function collectActionMeta(): Record<string, GeneratedActionMeta>;

/** The text of src/generated/action-meta.ts for `meta`. */
export function renderActionMeta(meta: Record<string, GeneratedActionMeta>): string;
