/**
 * Data versioning benchmark, each figure beside a floor measured in the same run: md5 of a large
 * file against `md5sum`; `lathe add` of a 10,000-file directory; warm `lathe status` on it including
 * process start; push and pull of the large file to a local remote against `cp` (medians of three rounds).
 * Prints figures and ratios; it is not a pass/fail test.
 *
 *   npm run build && npm run bench:data     (LATHE_BENCH_MB=1024 LATHE_BENCH_FILES=10000 by default)
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashFile } from "../src/data/hash.js";
import { format } from "./lib/load.js";

const MB = Number(process.env.LATHE_BENCH_MB ?? 1024);
const FILES = Number(process.env.LATHE_BENCH_FILES ?? 10000);
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/main.js");

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(44)} ${value}\n`);
}

function seconds(work: () => void): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}

function lathe(cwd: string, ...args: string[]): void {
  execFileSync(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "ignore", "inherit"] });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lathe-bench-data-"));
  try {
    process.stdout.write(`Lathe data benchmark: ${MB} MiB file, ${FILES} small files\n\n`);
    const big = join(dir, "big.bin");
    const handle = openSync(big, "w");
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < MB; i++) {
      block.fill(i % 251);
      writeSync(handle, block);
    }
    closeSync(handle);
    execFileSync("md5sum", [big]);
    const md5sumSeconds = seconds(() => execFileSync("md5sum", [big]));
    const start = performance.now();
    await hashFile(big);
    const oursSeconds = (performance.now() - start) / 1000;
    line(
      `md5 of ${MB} MiB`,
      `${format(oursSeconds, 2)} s vs md5sum ${format(md5sumSeconds, 2)} s  (${format(md5sumSeconds / oursSeconds, 2)}× md5sum's speed)`,
    );

    const repo = join(dir, "repo");
    mkdirSync(join(repo, "many"), { recursive: true });
    execFileSync("git", ["init", "-q", repo]);
    for (let i = 0; i < FILES; i++) {
      const sub = join(repo, "many", String(i % 100));
      if (i < 100) mkdirSync(sub);
      const file = openSync(join(sub, `${i}.txt`), "w");
      writeSync(file, `row ${i}\n`);
      closeSync(file);
    }
    const cpSeconds = seconds(() => execFileSync("cp", ["-r", join(repo, "many"), join(dir, "many-copy")]));
    lathe(repo, "init");
    const addSeconds = seconds(() => lathe(repo, "add", "many"));
    line(
      `lathe add of ${format(FILES)} files`,
      `${format(addSeconds, 2)} s  (cp -r of them: ${format(cpSeconds, 2)} s)`,
    );
    lathe(repo, "status");
    const nodeStart = seconds(() => execFileSync(process.execPath, ["-e", "0"]));
    const statusRuns = Array.from({ length: 5 }, () => seconds(() => lathe(repo, "status"))).sort((a, b) => a - b);
    line(
      "warm lathe status, process start included",
      `${format(statusRuns[2]! * 1000)} ms median of 5  (bare node start: ${format(nodeStart * 1000)} ms)`,
    );

    const remote = join(dir, "remote");
    execFileSync("cp", [big, join(repo, "big.bin")]);
    lathe(repo, "add", "big.bin");
    lathe(repo, "remote", "add", "-d", "storage", remote);
    // Each copy starts with no dirty pages waiting for the disk: the gigabytes written just before
    // would otherwise throttle whichever copy comes next (the kernel's dirty-page limits).
    const settled = (work: () => void) => {
      execFileSync("sync");
      return seconds(work);
    };
    // Three rounds, each a full push to an empty remote, a cp and a pull into an empty cache, taken
    // in turn so a slow spell of the disk touches all three; the medians are compared.
    const pushRuns: number[] = [];
    const copyRuns: number[] = [];
    const pullRuns: number[] = [];
    for (let round = 0; round < 3; round++) {
      rmSync(remote, { recursive: true, force: true });
      pushRuns.push(settled(() => lathe(repo, "push", "big.bin")));
      rmSync(join(dir, "big-copy.bin"), { force: true });
      copyRuns.push(settled(() => execFileSync("cp", [big, join(dir, "big-copy.bin")])));
      rmSync(join(repo, ".dvc/cache"), { recursive: true, force: true });
      rmSync(join(repo, "big.bin"));
      pullRuns.push(settled(() => lathe(repo, "pull", "big.bin")));
    }
    const median = (runs: number[]) => [...runs].sort((a, b) => a - b)[1]!;
    const [pushSeconds, copySeconds, pullSeconds] = [median(pushRuns), median(copyRuns), median(pullRuns)];
    line(
      `push / pull of ${MB} MiB to a local remote`,
      `${format(pushSeconds, 2)} s / ${format(pullSeconds, 2)} s vs cp ${format(copySeconds, 2)} s, medians of 3  (${format(copySeconds / pushSeconds, 2)}× / ${format(copySeconds / pullSeconds, 2)}× cp's speed)`,
    );
    process.stdout.write("\nTargets: md5 ≥ 0.9× md5sum; warm status ≤ 150 ms; push and pull ≥ 0.8× cp.\n");
  } finally {
    execFileSync("chmod", ["-R", "u+w", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
