/**
 * The documentation cannot rot: every ```sh runnable block of each page in docs/ runs, in order, in
 * one fresh folder per page, with `lathe` on the PATH (this checkout's source) and `$LATHE_REPO`
 * naming this checkout (for its examples). A block fails the
 * test when any of its commands fails; its output is shown then.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const docs = fileURLToPath(new URL("../docs/", import.meta.url));
const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const repository = fileURLToPath(new URL("..", import.meta.url));

/** The ```sh runnable blocks of a Markdown page, in order. */
function runnableBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^```sh runnable[^\n]*\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) blocks.push(match[1]!);
  return blocks;
}

const pages = (await readdir(docs)).filter((name) => name.endsWith(".md")).sort();

describe("runnable documentation", () => {
  let bin: string;
  beforeAll(async () => {
    bin = await realpath(await mkdtemp(join(tmpdir(), "lathe-docs-bin-")));
    const shim = join(bin, "lathe");
    await writeFile(
      shim,
      `#!/bin/sh\nexec "${process.execPath}" --import "${import.meta.resolve("tsx")}" "${main}" "$@"\n`,
    );
    await chmod(shim, 0o755);
  });
  afterAll(async () => rm(bin, { recursive: true, force: true }));

  it("finds runnable blocks in the pages", async () => {
    expect(pages.length).toBeGreaterThan(0);
    expect(runnableBlocks("```sh runnable\necho a\n```\ntext\n```sh\nnot run\n```\n")).toEqual(["echo a\n"]);
  });

  for (const page of pages)
    it(`${page}: every runnable block succeeds`, { timeout: 300_000 }, async () => {
      const blocks = runnableBlocks(await readFile(join(docs, page), "utf8"));
      const folder = await realpath(await mkdtemp(join(tmpdir(), "lathe-docs-")));
      try {
        for (const [index, block] of blocks.entries()) {
          try {
            execFileSync("bash", ["-euo", "pipefail", "-c", block], {
              cwd: folder,
              env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LATHE_REPO: repository, NO_COLOR: "1" },
              stdio: ["ignore", "pipe", "pipe"],
              timeout: 240_000,
            });
          } catch (error) {
            const failure = error as { stdout?: Buffer; stderr?: Buffer };
            throw new Error(
              `${page}, runnable block ${index + 1} failed:\n${block}\n--- stdout\n${failure.stdout}\n--- stderr\n${failure.stderr}`,
            );
          }
        }
      } finally {
        execFileSync("chmod", ["-R", "u+w", folder]);
        await rm(folder, { recursive: true, force: true });
      }
    });
});
