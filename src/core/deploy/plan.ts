/**
 * The deploy plan as pure logic: which version goes where, in which traffic stages, what the
 * user's commands see, and what a failure rolls back to. The deploy action (src/actions/deploy)
 * feeds it the registry's answers and carries it out through the adapters.
 */
import { InputError } from '../errors.js';
import { BUILT_IN_ALIASES, checkAliasName, checkModelName, parseVersion } from '../registry/names.js';

/** The version input: a number, or `previous` (the alias' version before its current one). */
export type DeployVersionSpec = number | 'previous';

/** Parses the version input: `v3`, `3` or `previous`. */
export function parseDeployVersion(raw: string, label: string): DeployVersionSpec {
  if (raw.trim().toLowerCase() === 'previous') return 'previous';
  return parseVersion(raw, label);
}

/**
 * Parses `traffic` (`10,50,100`): whole percentages from 1 to 100, strictly increasing, the last
 * one 100 (a rollout that never reaches all traffic has not deployed). No input: one stage, 100%.
 */
export function parseTraffic(raw: string | undefined, label: string): number[] {
  if (raw === undefined || raw.trim() === '') return [100];
  const items = raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const stages: number[] = [];
  for (const [index, item] of items.entries()) {
    const match = /^(\d+)%?$/.exec(item);
    const value = match ? Number(match[1]) : NaN;
    if (!Number.isInteger(value) || value < 1 || value > 100) {
      throw new InputError(`${label}: stage ${index + 1} is "${item}"; expected a whole percentage from 1 to 100.`);
    }
    const before = stages[stages.length - 1];
    if (before !== undefined && value <= before) {
      throw new InputError(
        `${label}: stage ${index + 1} (${value}%) must send more traffic than stage ${index} (${before}%).`,
      );
    }
    stages.push(value);
  }
  if (stages[stages.length - 1] !== 100) {
    throw new InputError(`${label}: the last stage must be 100 (all traffic), got "${raw.trim()}".`);
  }
  return stages;
}

/** The deploy inputs the plan depends on, already typed by the runner. */
export interface DeployRequestInputs {
  model: string;
  version: string | undefined;
  alias: string | undefined;
  promoteTo: string | undefined;
  environment: string | undefined;
  traffic: string | undefined;
  stageWaitSeconds: number;
  rollbackOnFailure: boolean;
}

/** What was asked, checked: the selector, the environment, the alias that moves, the stages. */
export interface DeployRequest {
  model: string;
  /** What to deploy: a version number, `previous` of `rollbackAlias`, or what `alias` points at. */
  selector: { version: number } | { previous: string } | { alias: string };
  /** The GitHub deployment environment (and MLOPS_ENVIRONMENT). */
  environment: string;
  /** The alias that is moved on success: promote-to, or for `version: previous` the alias named. */
  promoteTo: string | undefined;
  /**
   * The alias whose history decides what a failure rolls back to: promote-to, else the alias
   * deployed from. Undefined when neither is given: nothing to roll back to.
   */
  rollbackAlias: string | undefined;
  /** Traffic percentages, one stage each, ending at 100. */
  stages: number[];
  stageWaitSeconds: number;
  rollbackOnFailure: boolean;
  /** True for `version: previous`: an intended rollback, recorded as one. */
  intendedRollback: boolean;
}

/** The input names, for messages: the action's labels (`Input "alias"`) or the CLI's (`--alias`). */
export type DeployLabels = Record<'model' | 'version' | 'alias' | 'promote-to' | 'environment' | 'traffic', string>;

/**
 * Checks the inputs together: `version` or `alias` (both only for `version: previous`, where
 * `alias` names whose previous version), an environment (given, or promote-to's name), and the
 * traffic stages. Every problem is an InputError naming the input.
 */
export function planDeployRequest(inputs: DeployRequestInputs, labels: DeployLabels): DeployRequest {
  const model = checkModelName(inputs.model, labels.model);
  // `alias: latest` (built in: the newest version that is not deprecated) is a fine thing to deploy.
  const builtIn = (BUILT_IN_ALIASES as readonly string[]).includes(inputs.alias ?? '');
  const alias =
    inputs.alias !== undefined ? (builtIn ? inputs.alias : checkAliasName(inputs.alias, labels.alias)) : undefined;
  const givenPromoteTo =
    inputs.promoteTo !== undefined ? checkAliasName(inputs.promoteTo, labels['promote-to']) : undefined;
  const version = inputs.version !== undefined ? parseDeployVersion(inputs.version, labels.version) : undefined;
  if (version === undefined && alias === undefined) {
    throw new InputError(`${labels.version} or ${labels.alias} is required: which version of ${model} to deploy.`);
  }
  if (typeof version === 'number' && alias !== undefined) {
    throw new InputError(
      `${labels.version} and ${labels.alias} both name a version; give one (an alias goes with version "previous" only).`,
    );
  }
  // `version: previous` of an alias moves that alias back unless promote-to says otherwise: a
  // rollback that left production on the bad version would gate the next model against it.
  const promoteTo = givenPromoteTo ?? (version === 'previous' && alias !== undefined && !builtIn ? alias : undefined);
  const rollbackAlias = promoteTo ?? alias;
  let selector: DeployRequest['selector'];
  if (version === 'previous') {
    const whose = alias ?? promoteTo;
    if (whose === undefined) {
      throw new InputError(
        `${labels.version} "previous" needs ${labels.alias} or ${labels['promote-to']}: the alias whose previous version to redeploy.`,
      );
    }
    selector = { previous: whose };
  } else if (version !== undefined) {
    selector = { version };
  } else {
    selector = { alias: alias! };
  }
  const environment = inputs.environment ?? promoteTo;
  if (environment === undefined) {
    throw new InputError(
      `${labels.environment} or ${labels['promote-to']} is required: the environment to deploy to (it defaults to promote-to).`,
    );
  }
  return {
    model,
    selector,
    environment,
    promoteTo,
    rollbackAlias,
    stages: parseTraffic(inputs.traffic, labels.traffic),
    stageWaitSeconds: inputs.stageWaitSeconds,
    rollbackOnFailure: inputs.rollbackOnFailure,
    intendedRollback: version === 'previous',
  };
}

/** Where the rollback alias stands: its version, the one before its latest move, the deprecated among them. */
export interface RollbackAlias {
  current: number | undefined;
  previous: number | undefined;
  /** Versions among current and previous that are deprecated (never a rollback target). */
  deprecated?: readonly number[];
}

/**
 * What a failed deploy rolls back to: the version that was serving before this deploy. That is
 * the rollback alias' current version, unless this deploy is of that very version (a redeploy,
 * or `version: previous` whose alias moves back), then the version before it. A deprecated
 * version is never rolled back to (an alias cannot point at it).
 */
export function rollbackTarget(candidate: number, alias: RollbackAlias): number | undefined {
  const usable = (version: number | undefined): version is number =>
    version !== undefined && version !== candidate && !(alias.deprecated ?? []).includes(version);
  if (usable(alias.current)) return alias.current;
  if (usable(alias.previous)) return alias.previous;
  return undefined;
}

/** The model a command deploys: what it finds in its environment variables. */
export interface DeployedModel {
  model: string;
  version: number;
  sha256: string;
  /** Absolute path of the verified file, or of the unpacked folder. */
  path: string;
  environment: string;
}

/**
 * The variables the `run` and `smoke-test` commands get (besides the step's own environment):
 * the model, where its verified bytes are, the environment, and this stage's traffic.
 */
export function deployVariables(model: DeployedModel, trafficPercent: number): Record<string, string> {
  return {
    MLOPS_MODEL_NAME: model.model,
    MLOPS_MODEL_VERSION: String(model.version),
    MLOPS_MODEL_SHA256: model.sha256,
    MLOPS_MODEL_PATH: model.path,
    MLOPS_ENVIRONMENT: model.environment,
    MLOPS_TRAFFIC_PERCENT: String(trafficPercent),
  };
}

/** GitHub cuts a deployment (status) description at 140 characters: ours never exceed it. */
export const DESCRIPTION_LIMIT = 140;

/** Shortens text to GitHub's description limit, with an ellipsis when it was cut. */
export function deploymentDescription(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= DESCRIPTION_LIMIT ? line : `${line.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}

/** `stage 2/3 (50% traffic)`, or nothing for a single-stage deploy. */
export function stageLabel(index: number, stages: readonly number[]): string {
  return stages.length > 1 ? `stage ${index + 1}/${stages.length} (${stages[index]}% traffic)` : '';
}
