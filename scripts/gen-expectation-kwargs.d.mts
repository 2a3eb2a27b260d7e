/** Types for scripts/gen-expectation-kwargs.mjs, so TypeScript tests can import it. */

/** `expect_column_values_to_match_regex` -> `ExpectColumnValuesToMatchRegexKwargs`. */
export function kwargsTypeName(type: string): string;

/** The text of src/generated/expectation-kwargs.ts for the suite schema. */
export function renderExpectationKwargs(schema: unknown): string;
