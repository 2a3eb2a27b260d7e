import { createHash } from 'node:crypto';
import { applyEvent, EventRejectedError } from './apply.js';
import type { ModelIndex, RegistryEvent, VersionChunk } from './documents.js';
import {
  INDEX_PATH,
  MARKER_PATH,
  MODELS_DIR,
  README_PATH,
  RUNS_DIR,
  eventChunkPath,
  eventsDir,
  keysDir,
  modelDir,
  modelIndexPath,
  profilePath,
  profilesDir,
  versionChunkPath,
  versionsDir,
  VERSIONS_PER_CHUNK,
} from './layout.js';
import { nameProblem } from './names.js';
import { sameJson } from './operations.js';
import { looksLikeRegistry, requireRegistryBranch } from './consistency.js';
import { REGISTRY_FORMAT, ownEntry } from './documents.js';
import { RegistryCorruptError, RegistryDocuments, formatDocument, parseDocument, type RegistryTree } from './store.js';
import type { DocumentKind } from './schemas.js';

/** One thing fsck found wrong. */
export interface FsckProblem {
  /** The file on the registry branch. */
  path: string;
  line?: number;
  message: string;
  /** True for derived files that `--fix` rewrites from the event log. */
  fixable: boolean;
}

export interface FsckReport {
  models: number;
  events: number;
  versions: number;
  runs: number;
  problems: FsckProblem[];
  /** The derived files as the event logs say they should be (path -> text; null: delete). */
  repairs: Map<string, string | null>;
}

const EMPTY_TREE: RegistryTree = { description: 'the rebuild', read: async () => undefined, list: async () => [] };

function kindOf(path: string): DocumentKind | undefined {
  if (path === INDEX_PATH) return 'index';
  if (/^models\/[^/]+\/index\.json$/.test(path)) return 'model-index';
  if (/^models\/[^/]+\/versions\/\d{6}\.json$/.test(path)) return 'versions';
  if (/^models\/[^/]+\/keys\/[0-9a-f]{2}\.json$/.test(path)) return 'keys';
  return undefined;
}

/**
 * Checks the registry: every event log is complete (sequence numbers 1..N, each in its file,
 * unique ids, each event valid after the one before), and every derived file (the indexes, the
 * version records, the idempotency keys) is exactly what replaying the logs gives. The replay uses
 * the writers' own `applyEvent`, so `repairs` is the registry as the logs define it.
 */
export async function fsckRegistry(docs: RegistryDocuments): Promise<FsckReport> {
  const problems: FsckProblem[] = [];
  const tree = docs.tree;
  const rebuilt = new RegistryDocuments(EMPTY_TREE);
  const seenIds = new Map<string, string>();
  let events = 0;
  let versions = 0;
  const brokenModels = new Set<string>();

  const topNames = await tree.list('');
  // fsck --fix must not write a marker onto a branch of the user's code (--registry-branch main).
  if (!(await looksLikeRegistry(docs, topNames))) await requireRegistryBranch(docs, { reading: true });
  const hasContent = topNames.some((name) => name !== README_PATH);
  try {
    if (hasContent && !(await docs.marker())) {
      problems.push({ path: MARKER_PATH, message: 'missing (the format marker)', fixable: true });
    }
  } catch (error) {
    if (!(error instanceof RegistryCorruptError)) throw error;
    problems.push({ path: MARKER_PATH, message: error.message, fixable: true });
  }

  const models = await tree.list(MODELS_DIR);
  for (const model of models) {
    const problem = nameProblem(model);
    if (problem) {
      problems.push({ path: modelDir(model), message: `not a valid model name: ${problem}`, fixable: false });
      brokenModels.add(model);
      continue;
    }
    const dir = eventsDir(model);
    const files = await tree.list(dir);
    const logFiles = files.filter((name) => /^\d{6}\.jsonl$/.test(name));
    for (const name of files.filter((n) => !logFiles.includes(n))) {
      problems.push({ path: `${dir}/${name}`, message: 'unexpected file in the event log folder', fixable: false });
    }
    await docs.prefetch(logFiles.map((name) => `${dir}/${name}`));
    let expectedSeq = 1;
    /** The ids of this model's replayed events, by sequence number - 1. */
    const modelIds: string[] = [];
    for (const name of logFiles) {
      const path = `${dir}/${name}`;
      let chunk: RegistryEvent[];
      try {
        chunk = await docs.events(path);
      } catch (error) {
        if (!(error instanceof RegistryCorruptError)) throw error;
        problems.push({
          path,
          ...(error.location?.line !== undefined ? { line: error.location.line } : {}),
          message: error.message,
          fixable: false,
        });
        brokenModels.add(model);
        break;
      }
      // Set inside fail(); `as boolean` keeps TypeScript from narrowing it to false for good.
      let stop = false as boolean;
      for (const [i, event] of chunk.entries()) {
        const where = { path, line: i + 1 };
        const fail = (message: string) => {
          problems.push({ ...where, message, fixable: false });
          brokenModels.add(model);
          stop = true;
        };
        if (event.model !== model) fail(`event ${event.seq} names model "${event.model}" but is in ${model}'s log`);
        else if (event.seq !== expectedSeq)
          fail(`event has sequence number ${event.seq}, expected ${expectedSeq} (a gap or a duplicate)`);
        else if (eventChunkPath(model, event.seq) !== path)
          fail(`event ${event.seq} belongs in ${eventChunkPath(model, event.seq)}`);
        else if (seenIds.has(event.id)) fail(`event id ${event.id} is used twice (also ${seenIds.get(event.id)})`);
        if (stop) break;
        seenIds.set(event.id, `${path} line ${i + 1}`);
        modelIds.push(event.id);
        try {
          await applyEvent(rebuilt, event);
        } catch (error) {
          if (!(error instanceof EventRejectedError)) throw error;
          fail(error.message);
          break;
        }
        expectedSeq++;
        events++;
        if (event.type === 'registered') versions++;
      }
      if (stop) break;
    }
    if (expectedSeq === 1 && !brokenModels.has(model)) {
      problems.push({ path: dir, message: `model "${model}" has no events`, fixable: false });
      brokenModels.add(model);
    }
    if (!brokenModels.has(model)) {
      const lost = await lostTail(docs, model, modelIds);
      if (lost) {
        problems.push({ ...lost, fixable: false });
        brokenModels.add(model);
      }
    }
  }

  // Every derived file must be what the replay produced; files the replay does not produce must go.
  const repairs = new Map<string, string | null>();
  const expected = rebuilt.collectWrites();
  const storedDerived: string[] = [];
  if ((await tree.read(INDEX_PATH)) !== undefined) storedDerived.push(INDEX_PATH);
  for (const model of models) {
    if (brokenModels.has(model)) continue;
    if ((await tree.read(modelIndexPath(model))) !== undefined) storedDerived.push(modelIndexPath(model));
    for (const dir of [versionsDir(model), keysDir(model)]) {
      for (const name of await tree.list(dir)) storedDerived.push(`${dir}/${name}`);
    }
    for (const name of await tree.list(modelDir(model))) {
      if (!['index.json', 'events', 'versions', 'keys', 'profiles'].includes(name)) {
        problems.push({ path: `${modelDir(model)}/${name}`, message: 'unexpected file', fixable: false });
      }
    }
    problems.push(...(await profileProblems(docs, rebuilt, model)));
  }
  if (brokenModels.size > 0 && storedDerived.includes(INDEX_PATH) && !expected.has(INDEX_PATH)) {
    // Every model is broken, so the replay made no index: compare (and keep) the broken models' entries.
    expected.set(
      INDEX_PATH,
      formatDocument({ kind: 'mlops-registry-index', format: REGISTRY_FORMAT, updatedAt: '', models: {} }),
    );
  }
  await docs.prefetch([...expected.keys(), ...storedDerived].filter((p) => kindOf(p) !== undefined));
  for (const [path, text] of expected) {
    const kind = kindOf(path);
    if (!kind) continue;
    const model = /^models\/([^/]+)\//.exec(path)?.[1];
    if (model && brokenModels.has(model)) continue;
    const stored = await docs.text(path);
    if (stored === undefined) {
      problems.push({ path, message: 'missing; the event log says it should exist', fixable: true });
      repairs.set(path, text);
      continue;
    }
    let value: unknown;
    try {
      value = parseDocument(stored, kind, path, docs.description);
    } catch (error) {
      if (!(error instanceof RegistryCorruptError)) throw error;
      problems.push({ path, message: error.message, fixable: true });
      repairs.set(path, text);
      continue;
    }
    if (path === INDEX_PATH && brokenModels.size > 0) {
      // Keep the broken models' entries as they are (a person must look at their logs first); only
      // compare the others. A broken model without an entry gets none from its partial replay.
      const index = value as { models: Record<string, unknown> };
      const want = JSON.parse(text!) as { models: Record<string, unknown> };
      for (const broken of brokenModels) {
        if (ownEntry(index.models, broken)) want.models[broken] = index.models[broken]!;
        else delete want.models[broken];
      }
      if (!sameJson(index.models, want.models)) {
        problems.push({ path, message: 'does not match the event logs', fixable: true });
        repairs.set(
          path,
          JSON.stringify({ ...want, updatedAt: (value as { updatedAt: string }).updatedAt }, null, 2) + '\n',
        );
      }
      continue;
    }
    if (!sameJson(value, JSON.parse(text!))) {
      problems.push({
        path,
        message: `does not match the event log (${describeDifference(value, JSON.parse(text!))})`,
        fixable: true,
      });
      repairs.set(path, text);
    }
  }
  for (const path of storedDerived) {
    if (!expected.has(path)) {
      problems.push({ path, message: 'not accounted for by any event', fixable: true });
      repairs.set(path, null);
    }
  }
  if (models.length === 0 && storedDerived.includes(INDEX_PATH)) {
    const index = await docs.index().catch(() => undefined);
    if (index && Object.keys(index.models).length > 0) {
      problems.push({ path: INDEX_PATH, message: 'lists models that have no event log', fixable: true });
    }
  }
  if (problems.some((p) => p.path === MARKER_PATH)) {
    // The marker is not derived from events; --fix writes a fresh one dated by the oldest model.
    const created = Object.values(
      (rebuilt.parsedDocument(INDEX_PATH) as { models?: Record<string, { createdAt: string }> } | undefined)?.models ??
        {},
    )
      .map((m) => m.createdAt)
      .sort()[0];
    repairs.set(
      MARKER_PATH,
      JSON.stringify({ kind: 'mlops-registry', format: 1, createdAt: created ?? new Date(0).toISOString() }, null, 2) +
        '\n',
    );
  }

  let runs = 0;
  const runFiles = await tree.list(RUNS_DIR);
  await docs.prefetch(runFiles.map((name) => `${RUNS_DIR}/${name}`));
  for (const name of runFiles) {
    const path = `${RUNS_DIR}/${name}`;
    if (!name.endsWith('.json')) {
      problems.push({ path, message: 'unexpected file in runs/', fixable: false });
      continue;
    }
    try {
      const run = await docs.run(name.slice(0, -'.json'.length));
      if (run && run.run.id !== name.slice(0, -'.json'.length)) {
        problems.push({ path, message: `holds run "${run.run.id}"`, fixable: false });
      }
      runs++;
    } catch (error) {
      if (!(error instanceof RegistryCorruptError)) throw error;
      problems.push({ path, message: error.message, fixable: false });
    }
  }
  return { models: models.length, events, versions, runs, problems, repairs };
}

/**
 * The drift profiles of `model` against the versions that record them (as the replay rebuilt
 * them): every recorded profile is there with its sha256, and nothing else is in profiles/.
 * Profiles are not derived from the log, so none of this is fixable by a rebuild.
 */
async function profileProblems(
  docs: RegistryDocuments,
  rebuilt: RegistryDocuments,
  model: string,
): Promise<FsckProblem[]> {
  const problems: FsckProblem[] = [];
  const stored = new Set(await docs.tree.list(profilesDir(model)));
  const latest = (rebuilt.parsedDocument(modelIndexPath(model)) as ModelIndex | undefined)?.latestVersion ?? 0;
  for (let first = 1; first <= latest; first += VERSIONS_PER_CHUNK) {
    const chunk = rebuilt.parsedDocument(versionChunkPath(model, first)) as VersionChunk | undefined;
    for (const version of chunk?.versions ?? []) {
      if (!version.profile) continue;
      const path = profilePath(model, version.version);
      const name = path.slice(profilesDir(model).length + 1);
      stored.delete(name);
      const text = await docs.text(path);
      if (text === undefined) {
        problems.push({ path, message: `v${version.version}'s drift profile is missing`, fixable: false });
      } else if (createHash('sha256').update(text, 'utf8').digest('hex') !== version.profile.sha256) {
        problems.push({
          path,
          message: `does not have the sha256 v${version.version} records (${version.profile.sha256}); it was changed after registration`,
          fixable: false,
        });
      }
    }
  }
  for (const name of stored) {
    problems.push({
      path: `${profilesDir(model)}/${name}`,
      message: 'no version records this profile',
      fixable: false,
    });
  }
  return problems;
}

/**
 * Whether the stored derived files of `model` cite events its log (`ids`, by sequence number - 1)
 * does not have: a log that lost its tail (a bad rebase, a hand edit). Rebuilding the derived
 * files from such a log would silently roll the registry back and let the next register reuse a
 * version number, so it is reported as a problem `--fix` does not touch, naming what the
 * derived files remember. Derived files that do not parse are left to the replay comparison.
 */
async function lostTail(
  docs: RegistryDocuments,
  model: string,
  ids: string[],
): Promise<{ path: string; message: string } | undefined> {
  const inLog = (seq: number, id?: string) =>
    Number.isInteger(seq) && seq >= 1 && seq <= ids.length && (id === undefined || ids[seq - 1] === id);
  let index: ModelIndex | undefined;
  try {
    index = await docs.modelIndex(model);
  } catch (error) {
    if (!(error instanceof RegistryCorruptError)) throw error;
  }
  const cited: number[] = [];
  const remembered: string[] = [];
  let path: string | undefined;
  if (index && index.seq > 0 && !inLog(index.seq, index.lastEventId)) {
    cited.push(index.seq);
    path = modelIndexPath(model);
  }
  for (const name of await docs.tree.list(versionsDir(model))) {
    if (!/^\d{6}\.json$/.test(name)) continue;
    let chunk: VersionChunk;
    try {
      chunk = parseDocument<VersionChunk>(
        (await docs.text(`${versionsDir(model)}/${name}`)) ?? '',
        'versions',
        `${versionsDir(model)}/${name}`,
        docs.description,
      );
    } catch (error) {
      if (!(error instanceof RegistryCorruptError)) throw error;
      continue;
    }
    // Another model's file copied here is a stray file (the replay comparison reports it), not a memory.
    if (chunk.model !== model) continue;
    for (const record of chunk.versions) {
      if (inLog(record.seq, record.eventId)) continue;
      cited.push(record.seq);
      remembered.push(`v${record.version}`);
      path ??= `${versionsDir(model)}/${name}`;
    }
  }
  for (const [alias, state] of Object.entries(index?.aliases ?? {})) {
    if (inLog(state.seq)) continue;
    cited.push(state.seq);
    remembered.push(`alias ${alias}`);
  }
  if (path === undefined) return undefined;
  const last = Math.max(...cited);
  const lostEvents = last > ids.length ? `events ${ids.length + 1}..${last}` : `the events the derived files cite`;
  return {
    path,
    message:
      `the event log lost ${lostEvents} (it ends at event ${ids.length})` +
      (remembered.length > 0 ? `: the derived files remember ${remembered.join(', ')}` : '') +
      '; restore the log from history (git log on the registry branch) rather than rebuilding from it',
  };
}

/** A short description of the first difference between two JSON values: `aliases.production.version: 3 != 2`. */
export function describeDifference(actual: unknown, expected: unknown, path = ''): string {
  if (sameJson(actual, expected)) return 'no difference';
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(actual) && isObject(expected) && Array.isArray(actual) === Array.isArray(expected)) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])];
    for (const key of keys) {
      if (!sameJson(actual[key], expected[key]))
        return describeDifference(actual[key], expected[key], path ? `${path}.${key}` : key);
    }
  }
  const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v).slice(0, 60));
  return `${path || 'document'}: stored ${show(actual)}, the log says ${show(expected)}`;
}
