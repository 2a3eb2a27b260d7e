/** Types for scripts/gen-readme.mjs, so TypeScript tests can import it. */
export interface ActionDoc {
  name: string;
  description: string;
  inputs: Array<{ name: string; description: string; required: boolean; default: string | undefined }>;
  outputs: Array<{ name: string; description: string }>;
}

/** The two tables a README block can hold: `inputs` and `outputs`. */
export const TABLE_KINDS: readonly string[];

/** Every actions/<name>/action.yml (composite ones included), in action.yml's order. */
export function collectActionDocs(actionsDir?: string): Record<string, ActionDoc>;

/** The markdown table of one action's inputs or outputs. */
export function renderTable(action: ActionDoc, kind: string): string;

/** README's text with every generated block rewritten, and what is wrong with its blocks (file:line). */
export function updateReadme(
  text: string,
  actions: Record<string, ActionDoc>,
  file?: string,
): { text: string; problems: string[] };
