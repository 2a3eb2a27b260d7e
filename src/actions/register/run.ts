import { dirname, join } from 'node:path';
import { makeStepFolder, reserveOutputFile, type ReservedFile } from '../../adapters/fs/reserved-file.js';
import { checkOutputPaths, displayPath, readUserFile } from '../../adapters/fs/user-files.js';
import { workflowRunUrl } from '../../adapters/environment.js';
import type { ActionOutcome } from '../../adapters/runner/definition.js';
import type { RegisterContext } from './main.js';
import { createGitHubClient } from '../../adapters/github/client.js';
import {
  localArtifactStore,
  releaseArtifactStore,
  type ModelArtifactStore,
} from '../../adapters/registry/artifacts.js';
import { checkOutsideModelFolder } from '../../adapters/registry/package.js';
import { readProfileUpload } from '../../adapters/registry/profile.js';
import { crashHooksForTests, registerModel } from '../../adapters/registry/register.js';
import { RegistryRepository } from '../../adapters/registry/repository.js';
import { checkRunSucceeded, parseMetricsDocument } from '../../core/metrics/parse.js';
import type { VersionLineage } from '../../core/registry/documents.js';
import { checksumsFileName, LOCAL_CHECKSUMS_DIR, sha256sumLine } from '../../core/registry/checksums.js';
import { checkAliasName, checkModelName } from '../../core/registry/names.js';
import { flattenNumbers, parseRunRecord, type RunRecord } from '../../core/registry/runs.js';
import { registerSummary } from '../../core/report/register.js';

export async function runRegister({
  inputs,
  io,
  log,
  env,
  label,
}: RegisterContext): Promise<ActionOutcome<'register'>> {
  const model = checkModelName(inputs.model, label('model'));
  const alias = inputs.alias !== undefined ? checkAliasName(inputs.alias, label('alias')) : undefined;
  const workingDirectory = inputs['working-directory'];
  // Files are named as the user wrote them: relative to the working directory.
  const shown = (file: string) => displayPath(file, workingDirectory);
  // Before anything is read or uploaded: a checksums path that cannot be written, or that would
  // overwrite the model or another input, is bad input, and must not cost an upload.
  if (inputs.checksums !== undefined) {
    await checkOutputPaths([{ path: inputs.checksums, label: label('checksums') }], workingDirectory, [
      { path: inputs.path, label: label('path') },
      ...(['run-record', 'metrics', 'profile'] as const).flatMap((name) => {
        const file = inputs[name];
        return file ? [{ path: file, label: label(name) }] : [];
      }),
    ]);
    await checkOutsideModelFolder(inputs.path, inputs.checksums, label('checksums'), shown);
  }

  let run: RunRecord | undefined;
  if (inputs['run-record']) {
    const file = inputs['run-record'];
    const text = await readUserFile(file, label('run-record'), shown(file));
    run = parseRunRecord(text, shown(file));
    // A failed or timed-out run's model and metrics are no version to register.
    checkRunSucceeded(run.status, shown(file), text);
  }
  let metrics: Record<string, number> = run ? flattenNumbers(run.metrics) : {};
  if (inputs.metrics) {
    const file = inputs.metrics;
    metrics = parseMetricsDocument(await readUserFile(file, label('metrics'), shown(file)), shown(file)).values;
  }

  // Read before anything is uploaded: a bad profile must not cost an upload and its cleanup.
  const profile = inputs.profile
    ? await readProfileUpload(inputs.profile, label('profile'), shown(inputs.profile))
    : undefined;

  const token = inputs['github-token'];
  const repo = await RegistryRepository.open({
    cwd: workingDirectory,
    branch: inputs['registry-branch'],
    remote: inputs['registry-remote'],
    log,
    inActions: env.inActions,
    serverUrl: env.serverUrl,
    mask: io.mask,
    ...(token ? { token } : {}),
  });

  const lineage: VersionLineage = {};
  const commit = env.inActions ? env.sha : undefined;
  const codeCommit = commit ?? run?.lineage?.git?.commit ?? run?.git?.commit ?? (await repo.headCommit());
  if (codeCommit) lineage.commit = codeCommit;
  if (env.inActions && env.ref) lineage.ref = env.ref;
  if (env.inActions && env.runId) {
    const repository = env.repository ? `${env.repository.owner}/${env.repository.repo}` : undefined;
    const url = workflowRunUrl(env);
    lineage.workflowRun = {
      id: env.runId,
      ...(env.runAttempt ? { attempt: env.runAttempt } : {}),
      ...(url ? { url } : {}),
      ...(env.workflow ? { workflow: env.workflow } : {}),
      ...(env.job ? { job: env.job } : {}),
      ...(repository ? { repository } : {}),
    };
  } else if (run?.workflowRun) {
    lineage.workflowRun = run.workflowRun;
  }
  if (run) {
    lineage.trainRunId = run.id;
    if (run.name) lineage.trainRunName = run.name;
    if (run.dataSha256) lineage.dataSha256 = run.dataSha256;
  }

  const useRelease = inputs.release !== false && env.inActions && !!token && !!env.repository;
  let store: ModelArtifactStore;
  if (useRelease) {
    const client = await createGitHubClient({ token, apiUrl: env.apiUrl, log, retryBaseMs: env.retryBaseMs });
    store = releaseArtifactStore({
      client,
      repository: env.repository,
      serverUrl: env.serverUrl,
      apiUrl: env.apiUrl,
      log,
    });
  } else {
    if (inputs.release !== false) {
      log.info(
        env.inActions
          ? 'No github-token: the model goes to .mlops/artifacts (local mode), which vanishes with the runner unless you keep it.'
          : 'Local mode: the model goes to .mlops/artifacts in the repository.',
      );
    } else if (env.inActions) {
      log.warning('release: false stores the model in .mlops/artifacts on the runner, which is deleted after the job.');
    }
    store = localArtifactStore(repo.root, log);
  }

  // Reserved before anything is uploaded or registered: a checksums file that cannot be created
  // (a name too long, a folder that refuses files) is bad input then, not a failure after the
  // version exists, which a re-run would register a second time.
  const checksums = await reserveChecksumsFile(inputs.checksums, model, {
    label: label('checksums'),
    shown,
    // The default is outside the working tree, so that no later step commits or packs it; on a
    // runner in a folder of this step's own, so that two register steps never share a file.
    defaultFolder: () =>
      env.inActions ? makeStepFolder(join(env.tempDir, 'mlops'), 'register-') : join(repo.root, LOCAL_CHECKSUMS_DIR),
  });

  let result: Awaited<ReturnType<typeof registerModel>>;
  try {
    result = await registerModel({
      repo,
      store,
      model,
      path: inputs.path,
      metrics,
      ...(run?.params !== undefined ? { params: run.params } : {}),
      ...(inputs.description !== undefined ? { description: inputs.description } : {}),
      lineage,
      ...(env.inActions && env.runId ? { idempotencyKey: `${env.runId}/${env.runAttempt ?? '1'}/${model}` } : {}),
      ...(alias !== undefined ? { alias } : {}),
      ...(profile !== undefined ? { profile } : {}),
      actor: repo.actor(env.inActions ? env.actor : undefined),
      scratch: env.tempDir,
      log,
      ...crashHooksForTests(env.testHooks),
    });
  } catch (error) {
    await checksums.release();
    throw error;
  }

  // Written only once the version is registered: a failed register leaves no checksums file.
  const checksumsPath = inputs.checksums ?? join(dirname(checksums.path), checksumsFileName(model, result.version));
  const line = sha256sumLine(result.sha256, result.assetName);
  await checksums.write(
    line,
    `${model} v${result.version} is registered, but its checksums file (${line.trimEnd()}) is not written`,
    checksumsPath,
  );
  log.info(`Wrote ${shown(checksumsPath)}: the sha256 of ${result.assetName}, for sha256sum -c or actions/attest.`);
  await io.appendSummary(registerSummary(model, result, alias, metrics, store.kind));
  return {
    passed: true,
    outputs: {
      version: result.version,
      tag: result.tag,
      sha256: result.sha256,
      'release-url': result.releaseUrl,
      'asset-url': result.assetUrl,
      checksums: checksumsPath,
    },
  };
}

/**
 * Reserves register's checksums file: `path` when the input names one (its errors name `label`),
 * else a temporary file in `defaultFolder()`, where `<model>-v<N>.sha256` goes once the version
 * number is known. Release it when the registration fails.
 */
async function reserveChecksumsFile(
  path: string | undefined,
  model: string,
  where: { label: string; shown: (file: string) => string; defaultFolder: () => string | Promise<string> },
): Promise<ReservedFile> {
  if (path !== undefined) return reserveOutputFile(path, where.label, where.shown(path));
  const stand = join(await where.defaultFolder(), `${model}.sha256`);
  return reserveOutputFile(
    stand,
    'the default checksums file (set the checksums input to write it elsewhere)',
    where.shown(stand),
  );
}
