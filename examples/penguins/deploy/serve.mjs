// The demo's deploy command (mlops deploy --run 'node deploy/serve.mjs'): "serves" the verified
// model by copying the exact registered bytes mlops downloaded and checked (MLOPS_MODEL_PATH) to
// serving/<environment>/model.json, and notes which version serves there. Plain Node, no
// dependencies. A real deploy command would push an image or update an endpoint instead.
//
// The copy goes to a temporary name first and is renamed over the old file, so a reader (the
// smoke test, a server) sees either the old model or the new one, never half a file.
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { MLOPS_MODEL_PATH, MLOPS_MODEL_NAME, MLOPS_MODEL_VERSION, MLOPS_MODEL_SHA256, MLOPS_ENVIRONMENT } = process.env;
if (!MLOPS_MODEL_PATH || !MLOPS_ENVIRONMENT) {
  console.error('serve.mjs: run me through mlops deploy (MLOPS_MODEL_PATH and MLOPS_ENVIRONMENT are not set).');
  process.exit(2);
}

const folder = join('serving', MLOPS_ENVIRONMENT);
mkdirSync(folder, { recursive: true });
const target = join(folder, 'model.json');
copyFileSync(MLOPS_MODEL_PATH, `${target}.partial`);
renameSync(`${target}.partial`, target);
writeFileSync(
  join(folder, 'version.json'),
  JSON.stringify(
    { model: MLOPS_MODEL_NAME, version: Number(MLOPS_MODEL_VERSION), sha256: MLOPS_MODEL_SHA256 },
    null,
    2,
  ) + '\n',
);
console.log(`serving ${MLOPS_MODEL_NAME} v${MLOPS_MODEL_VERSION} from ${target}`);
