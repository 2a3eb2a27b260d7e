// Trains a softmax (multinomial logistic) regression that predicts a penguin's species from its
// measurements. Plain Node, no dependencies, deterministic for a given seed: the example the
// mlops demo and docs run on. Writes model/model.json and metrics.json (with per-island slices,
// so that fairness-style gates have something to gate).
//
// Under the train action it follows the MLOPS_* variables: MLOPS_PARAMS (the resolved params
// JSON file; JSON text also works, for a quick override by hand), MLOPS_SEED, MLOPS_METRICS,
// MLOPS_METRICS_HISTORY (the training loss every 10 epochs, as {step, name, value} lines) and
// MLOPS_MODEL_DIR.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const given = process.env.MLOPS_PARAMS;
const params = {
  epochs: 300,
  learning_rate: 0.1,
  l2: 0.001,
  test_fraction: 0.25,
  features: ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'],
  ...(given
    ? JSON.parse(given.trimStart().startsWith('{') ? given : readFileSync(given, 'utf8'))
    : JSON.parse(readFileSync(join(here, 'params.json'), 'utf8'))),
};
const seed = Number(process.env.MLOPS_SEED ?? params.seed ?? 42);
const dataFile = process.argv[2] ?? join(here, 'data', 'penguins.csv');
const outDir = process.argv[3] ?? here;
const metricsFile = process.env.MLOPS_METRICS ?? join(outDir, 'metrics.json');
const modelDir = process.env.MLOPS_MODEL_DIR ?? join(outDir, 'model');
const historyFile = process.env.MLOPS_METRICS_HISTORY;
const history = [];

/** mulberry32: a small, well-known seeded PRNG. */
function rng(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const [header, ...lines] = readFileSync(dataFile, 'utf8').trim().split(/\r?\n/);
const columns = header.split(',');
const rows = lines
  .map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])))
  .filter((r) => params.features.every((f) => r[f] !== '' && r[f] !== undefined));
const classes = [...new Set(rows.map((r) => r.species))].sort();

// Stratified split, so every species is in both parts.
const random = rng(seed);
const train = [];
const test = [];
for (const cls of classes) {
  const members = rows.filter((r) => r.species === cls);
  for (let i = members.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [members[i], members[j]] = [members[j], members[i]];
  }
  const cut = Math.round(members.length * params.test_fraction);
  test.push(...members.slice(0, cut));
  train.push(...members.slice(cut));
}

const x = (r) => params.features.map((f) => Number(r[f]));
const means = params.features.map((_, k) => train.reduce((s, r) => s + x(r)[k], 0) / train.length);
const stds = params.features.map((_, k) =>
  Math.sqrt(train.reduce((s, r) => s + (x(r)[k] - means[k]) ** 2, 0) / (train.length - 1)),
);
const z = (r) => [1, ...x(r).map((v, k) => (v - means[k]) / stds[k])];
const weights = classes.map(() => new Array(params.features.length + 1).fill(0));

function probabilities(features) {
  const logits = weights.map((w) => w.reduce((s, wk, k) => s + wk * features[k], 0));
  const top = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - top));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

for (let epoch = 0; epoch < params.epochs; epoch++) {
  const gradient = weights.map((w) => w.map(() => 0));
  let loss = 0;
  for (const r of train) {
    const f = z(r);
    const p = probabilities(f);
    loss -= Math.log(Math.max(p[classes.indexOf(r.species)], 1e-15));
    classes.forEach((cls, c) => {
      const error = p[c] - (r.species === cls ? 1 : 0);
      f.forEach((fk, k) => (gradient[c][k] += error * fk));
    });
  }
  weights.forEach((w, c) =>
    w.forEach((_, k) => (w[k] -= params.learning_rate * (gradient[c][k] / train.length + params.l2 * w[k]))),
  );
  if (epoch % 10 === 0 || epoch === params.epochs - 1) {
    history.push({ step: epoch, name: 'train_loss', value: Math.round((loss / train.length) * 1e6) / 1e6 });
  }
}

function evaluate(subset) {
  let correct = 0;
  let logLoss = 0;
  const tp = Object.fromEntries(classes.map((c) => [c, 0]));
  const fp = { ...tp };
  const fn = { ...tp };
  for (const r of subset) {
    const p = probabilities(z(r));
    const predicted = classes[p.indexOf(Math.max(...p))];
    logLoss -= Math.log(Math.max(p[classes.indexOf(r.species)], 1e-15));
    if (predicted === r.species) {
      correct++;
      tp[r.species]++;
    } else {
      fp[predicted]++;
      fn[r.species]++;
    }
  }
  const f1 = classes.map((c) => (2 * tp[c]) / Math.max(1, 2 * tp[c] + fp[c] + fn[c]));
  return {
    accuracy: correct / subset.length,
    macro_f1: f1.reduce((a, b) => a + b, 0) / classes.length,
    log_loss: logLoss / subset.length,
    recall: Object.fromEntries(classes.map((c) => [c, tp[c] / Math.max(1, tp[c] + fn[c])])),
  };
}

const overall = evaluate(test);
const islands = [...new Set(test.map((r) => r.island))].sort();
const round = (v) => Math.round(v * 1e4) / 1e4;
const metrics = {
  accuracy: round(overall.accuracy),
  macro_f1: round(overall.macro_f1),
  log_loss: round(overall.log_loss),
  recall: Object.fromEntries(Object.entries(overall.recall).map(([k, v]) => [k, round(v)])),
  accuracy_by_island: Object.fromEntries(
    islands.map((i) => [i, round(evaluate(test.filter((r) => r.island === i)).accuracy)]),
  ),
  train_rows: train.length,
  test_rows: test.length,
};

mkdirSync(modelDir, { recursive: true });
writeFileSync(
  join(modelDir, 'model.json'),
  JSON.stringify({ kind: 'softmax-regression', classes, features: params.features, means, stds, weights }, null, 2) +
    '\n',
);
mkdirSync(dirname(metricsFile), { recursive: true });
writeFileSync(metricsFile, JSON.stringify(metrics, null, 2) + '\n');
if (historyFile) writeFileSync(historyFile, history.map((point) => JSON.stringify(point) + '\n').join(''));
console.log(`trained on ${train.length} rows, accuracy ${metrics.accuracy} on ${test.length} held-out rows`);
