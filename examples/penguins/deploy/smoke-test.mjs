// The demo's smoke test (mlops deploy --smoke-test 'node deploy/smoke-test.mjs'): loads the model
// that serves in serving/<environment>/ and sends it a few requests whose answer is known, real
// penguins from data/penguins.csv (deploy/smoke-requests.csv: one of each species, and a female
// Chinstrap, the kind a weak model mistakes for an Adelie). Any wrong answer fails the deploy,
// and mlops rolls back. Plain Node, no dependencies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const environment = process.env.MLOPS_ENVIRONMENT;
if (!environment) {
  console.error('smoke-test.mjs: run me through mlops deploy (MLOPS_ENVIRONMENT is not set).');
  process.exit(2);
}
const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const model = JSON.parse(readFileSync(join('serving', environment, 'model.json'), 'utf8'));

/** The species the softmax regression train.mjs wrote predicts for one row of measurements. */
function predict(row) {
  const features = [1, ...model.features.map((name, k) => (Number(row[name]) - model.means[k]) / model.stds[k])];
  const logits = model.weights.map((w) => w.reduce((sum, wk, k) => sum + wk * features[k], 0));
  return model.classes[logits.indexOf(Math.max(...logits))];
}

const [header, ...lines] = readFileSync(join(here, 'smoke-requests.csv'), 'utf8').trim().split(/\r?\n/);
const columns = header.split(',');
const wrong = [];
lines.forEach((line, index) => {
  const row = Object.fromEntries(line.split(',').map((value, i) => [columns[i], value]));
  const predicted = predict(row);
  if (predicted !== row.species) {
    wrong.push(
      `request ${index + 1} (a ${row.sex.toLowerCase()} ${row.species} from ${row.island}): predicted ${predicted}`,
    );
  }
});
if (wrong.length) {
  console.error(
    `smoke test failed in ${environment}: ${wrong.length} of ${lines.length} answers wrong: ${wrong.join('; ')}`,
  );
  process.exit(1);
}
console.log(`smoke test passed in ${environment}: ${lines.length} of ${lines.length} requests answered right`);
