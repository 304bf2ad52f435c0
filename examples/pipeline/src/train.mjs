// Fits a softmax regression by batch gradient descent on standardised features, then evaluates it.
// node train.mjs <prepared dir> --epochs N --lr X
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dataDir, ...flags] = process.argv.slice(2);
const option = (name, fallback) => {
  const index = flags.indexOf(`--${name}`);
  return index >= 0 ? Number(flags[index + 1]) : fallback;
};
const epochs = option("epochs", 300);
const lr = option("lr", 0.1);

function load(file) {
  const [, ...lines] = readFileSync(join(dataDir, file), "utf8").trim().split("\n");
  return lines.map((line) => {
    const cells = line.split(",");
    return { x: cells.slice(0, -1).map(Number), label: cells.at(-1) };
  });
}

const train = load("train.csv");
const test = load("test.csv");
const classes = [...new Set(train.map((row) => row.label))].sort();
const features = train[0].x.length;
const mean = Array.from({ length: features }, (_, j) => train.reduce((s, r) => s + r.x[j], 0) / train.length);
const std = Array.from({ length: features }, (_, j) =>
  Math.sqrt(train.reduce((s, r) => s + (r.x[j] - mean[j]) ** 2, 0) / train.length) || 1,
);
const scale = (x) => x.map((v, j) => (v - mean[j]) / std[j]);

const weights = classes.map(() => new Array(features + 1).fill(0));
function probabilities(x) {
  const scores = weights.map((w) => w[features] + x.reduce((s, v, j) => s + v * w[j], 0));
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

const scaled = train.map((row) => ({ x: scale(row.x), y: classes.indexOf(row.label) }));
for (let epoch = 0; epoch < epochs; epoch++) {
  const gradient = classes.map(() => new Array(features + 1).fill(0));
  for (const { x, y } of scaled) {
    const p = probabilities(x);
    p.forEach((pk, k) => {
      const error = pk - (k === y ? 1 : 0);
      x.forEach((v, j) => {
        gradient[k][j] += error * v;
      });
      gradient[k][features] += error;
    });
  }
  weights.forEach((w, k) => w.forEach((_, j) => (w[j] -= (lr * gradient[k][j]) / scaled.length)));
}

const predict = (x) => {
  const p = probabilities(scale(x));
  return classes[p.indexOf(Math.max(...p))];
};
const rows = test.map((row) => ({ actual: row.label, predicted: predict(row.x) }));
const accuracy = rows.filter((row) => row.actual === row.predicted).length / rows.length;

writeFileSync("model.json", `${JSON.stringify({ classes, mean, std, weights }, null, 2)}\n`);
writeFileSync("metrics.json", `${JSON.stringify({ accuracy: Number(accuracy.toFixed(4)), test_rows: rows.length }, null, 2)}\n`);
mkdirSync("plots", { recursive: true });
writeFileSync("plots/confusion.csv", `actual,predicted\n${rows.map((r) => `${r.actual},${r.predicted}`).join("\n")}\n`);
console.log(`accuracy ${accuracy.toFixed(4)} on ${rows.length} test rows`);
