/**
 * Pipeline benchmark, each figure beside a floor measured in the same run:
 *   1. a 50-stage pipeline reading 1,000 dependency files: the first `lathe repro`, then the
 *      no-op `lathe repro` including process start (target ≤ 300 ms), against `node -e ""`;
 *   2. per-stage overhead: N stages whose command is `true` (one dependency and one output each),
 *      `lathe repro -f` time per stage minus the time of spawning `/bin/sh -c true` N times
 *      (target ≤ 20 ms).
 * Prints figures and ratios; it is not a pass/fail test. Runs the built CLI (dist/), building it
 * first when src/ is newer.
 *
 *   npm run bench:pipeline     (LATHE_BENCH_STAGES=50 LATHE_BENCH_DEPS=1000 LATHE_BENCH_RUNS=5)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "./lib/load.js";

const STAGES = Number(process.env.LATHE_BENCH_STAGES ?? 50);
const DEPS = Number(process.env.LATHE_BENCH_DEPS ?? 1000);
const RUNS = Number(process.env.LATHE_BENCH_RUNS ?? 5);
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/main.js");

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(48)} ${value}\n`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when a source file is newer than the built CLI. */
function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    // Not built yet.
  }
  if (built >= newestMtime(join(root, "src"))) return;
  process.stdout.write("note: dist/ is older than src/ (or missing); running 'npm run build' first.\n");
  const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" });
  // tsc still emits when some file has type errors; measure what was built, but say so.
  if (build.status !== 0)
    process.stdout.write("note: 'npm run build' reported errors; the figures are for what it emitted.\n");
  statSync(cli);
  process.stdout.write("\n");
}

function milliseconds(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

function lathe(cwd: string, ...args: string[]): void {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`lathe ${args.join(" ")} failed: ${result.stderr.toString()}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function makeRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("git", ["init", "-q", dir]);
  lathe(dir, "init");
}

/** STAGES stages in a chain; each reads its share of DEPS files and the previous stage's output. */
function bigPipeline(dir: string): void {
  mkdirSync(join(dir, "data"));
  for (let index = 0; index < DEPS; index++)
    writeFileSync(join(dir, "data", `f${String(index).padStart(5, "0")}.txt`), `file ${index}\n`);
  const perStage = Math.ceil(DEPS / STAGES);
  const stages: string[] = [];
  for (let stage = 0; stage < STAGES; stage++) {
    const deps = [];
    for (let index = stage * perStage; index < Math.min(DEPS, (stage + 1) * perStage); index++)
      deps.push(`      - data/f${String(index).padStart(5, "0")}.txt`);
    if (stage > 0) deps.push(`      - out/s${stage - 1}.txt`);
    stages.push(
      `  s${stage}:\n    cmd: mkdir -p out && echo ${stage} > out/s${stage}.txt\n    deps:\n${deps.join("\n")}\n    params:\n      - seed\n    outs:\n      - out/s${stage}.txt\n`,
    );
  }
  writeFileSync(join(dir, "params.yaml"), "seed: 1\n");
  writeFileSync(join(dir, "dvc.yaml"), `stages:\n${stages.join("")}`);
}

/** STAGES independent stages running `true`; outputs exist beforehand and persist, so `true` suffices. */
function truePipeline(dir: string): void {
  const stages: string[] = [];
  for (let stage = 0; stage < STAGES; stage++) {
    writeFileSync(join(dir, `in${stage}`), `${stage}\n`);
    writeFileSync(join(dir, `out${stage}`), `${stage}\n`);
    stages.push(
      `  t${stage}:\n    cmd: "true"\n    deps: [in${stage}]\n    outs:\n      - out${stage}: {persist: true}\n`,
    );
  }
  writeFileSync(join(dir, "dvc.yaml"), `stages:\n${stages.join("")}`);
}

function main(): void {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "lathe-bench-pipeline-"));
  try {
    process.stdout.write(`Lathe pipeline benchmark: ${STAGES} stages, ${DEPS} dependency files, ${RUNS} runs\n\n`);
    const nodeFloor = median(
      Array.from({ length: RUNS }, () => milliseconds(() => execFileSync(process.execPath, ["-e", ""]))),
    );

    const big = join(dir, "big");
    makeRepo(big);
    bigPipeline(big);
    const first = milliseconds(() => lathe(big, "repro"));
    line(`first repro (${STAGES} stages run)`, `${format(first, 0)} ms  (${format(first / STAGES, 1)} ms per stage)`);
    const noop = median(Array.from({ length: RUNS }, () => milliseconds(() => lathe(big, "repro"))));
    line(
      "no-op repro, process start included",
      `${format(noop, 0)} ms (target ≤ 300) vs node start ${format(nodeFloor, 0)} ms  (${format(noop / nodeFloor, 1)}× the floor)`,
    );

    const small = join(dir, "true");
    makeRepo(small);
    truePipeline(small);
    lathe(small, "repro");
    const smallNoop = median(
      Array.from({ length: Math.min(RUNS, 3) }, () => milliseconds(() => lathe(small, "repro"))),
    );
    const forced = median(
      Array.from({ length: Math.min(RUNS, 3) }, () => milliseconds(() => lathe(small, "repro", "-f"))),
    );
    const shellFloor = milliseconds(() => {
      for (let index = 0; index < STAGES; index++) execFileSync("/bin/sh", ["-c", "true"]);
    });
    const perStage = (forced - shellFloor) / STAGES;
    line(
      `repro -f of ${STAGES} 'true' stages`,
      `${format(forced, 0)} ms; sh -c true ×${STAGES}: ${format(shellFloor, 0)} ms`,
    );
    line(
      "per-stage overhead beyond the shell",
      `${format(perStage, 1)} ms (target ≤ 20)  (${format(forced / shellFloor, 1)}× the floor in total)`,
    );
    // The same without the fixed cost of one command (process start, reading the pipeline).
    line(
      "  of which beyond a no-op repro of it",
      `${format((forced - smallNoop - shellFloor) / STAGES, 1)} ms per stage (no-op repro: ${format(smallNoop, 0)} ms)`,
    );
  } finally {
    execFileSync("chmod", ["-R", "u+w", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
