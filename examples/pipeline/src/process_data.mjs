// Shuffles rows with a seeded generator and splits them: node process_data.mjs <raw.csv> <out dir> <test fraction> <seed>
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [input, outDir, splitText, seedText] = process.argv.slice(2);
const split = Number(splitText);
let seed = Number(seedText) >>> 0;

// mulberry32: small, seedable, and the same on every platform.
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const [header, ...rows] = readFileSync(input, "utf8").trim().split("\n");
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [rows[i], rows[j]] = [rows[j], rows[i]];
}
const testCount = Math.round(rows.length * split);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "test.csv"), `${[header, ...rows.slice(0, testCount)].join("\n")}\n`);
writeFileSync(join(outDir, "train.csv"), `${[header, ...rows.slice(testCount)].join("\n")}\n`);
console.log(`train ${rows.length - testCount} rows, test ${testCount} rows`);
