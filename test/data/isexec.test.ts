/**
 * `isexec`: the executable bit of a file output, recorded in its `.dvc` file by add and restored by
 * checkout (reference/dvc.md §1.1). Directory manifests carry no modes (§2.3).
 */
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LatheError } from "../../src/core/errors.js";
import { addCommand, checkoutCommand } from "../../src/data/commands.js";
import { parsePointer, updatePointerText } from "../../src/data/pointer.js";
import { initDataRepo } from "../../src/data/repo.js";
import { makeTempDir, removeTempDir } from "./helpers.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeTempDir(dir);
});

async function repo(config?: string): Promise<string> {
  const dir = await makeTempDir(true);
  dirs.push(dir);
  await initDataRepo(dir);
  if (config) await writeFile(join(dir, ".dvc/config"), config);
  return dir;
}

async function isExecutable(path: string): Promise<boolean> {
  return ((await stat(path)).mode & 0o100) !== 0;
}

describe("isexec", () => {
  it("is written for an executable file, in DVC's layout, and not for other files", async () => {
    const dir = await repo();
    await writeFile(join(dir, "run.sh"), "#!/bin/sh\necho hi\n");
    await chmod(join(dir, "run.sh"), 0o755);
    await writeFile(join(dir, "plain.txt"), "text");
    const [script, plain] = await addCommand(["run.sh", "plain.txt"], { cwd: dir });
    expect(script?.isexec).toBe(true);
    expect(plain?.isexec).toBeUndefined();
    expect(await readFile(join(dir, "run.sh.dvc"), "utf8")).toBe(
      `outs:\n- md5: ${script!.md5}\n  size: 18\n  isexec: true\n  hash: md5\n  path: run.sh\n`,
    );
    expect(await readFile(join(dir, "plain.txt.dvc"), "utf8")).not.toContain("isexec");
  });

  it("is restored by checkout, with copies and with hard links", async () => {
    for (const config of ["", "[cache]\n    type = hardlink\n"]) {
      const dir = await repo(config);
      await writeFile(join(dir, "run.sh"), "#!/bin/sh\n");
      await chmod(join(dir, "run.sh"), 0o755);
      await addCommand(["run.sh"], { cwd: dir });
      expect(await isExecutable(join(dir, "run.sh"))).toBe(true);
      await rm(join(dir, "run.sh"), { force: true });
      expect((await checkoutCommand([], { cwd: dir })).added).toEqual(["run.sh"]);
      expect(await isExecutable(join(dir, "run.sh"))).toBe(true);
    }
  });

  it("is dropped when the file is re-added without the bit; directories record no modes", async () => {
    const dir = await repo();
    await writeFile(join(dir, "run.sh"), "#!/bin/sh\n");
    await chmod(join(dir, "run.sh"), 0o755);
    await addCommand(["run.sh"], { cwd: dir });
    await chmod(join(dir, "run.sh"), 0o644);
    await addCommand(["run.sh"], { cwd: dir });
    expect(await readFile(join(dir, "run.sh.dvc"), "utf8")).not.toContain("isexec");
    await mkdir(join(dir, "tools"));
    await writeFile(join(dir, "tools/x.sh"), "x");
    await chmod(join(dir, "tools/x.sh"), 0o755);
    const [tools] = await addCommand(["tools"], { cwd: dir });
    expect(tools?.isexec).toBeUndefined();
  });

  it("is read from DVC's files, kept when a commented file is updated, and must be a boolean", () => {
    const written =
      "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  isexec: true\n  hash: md5\n  path: a\n";
    expect(parsePointer(written, "a.dvc").outs[0]).toMatchObject({ isexec: true, extra: {} });
    const commented = `# tool\n${written.replace("  path: a\n", "  path: a\n  desc: a tool\n")}`;
    const updated = updatePointerText(
      commented,
      { path: "a", md5: "fedcba9876543210fedcba9876543210", size: 4, isexec: true },
      "a.dvc",
    );
    expect(updated).toContain("# tool");
    expect(parsePointer(updated, "a.dvc").outs[0]).toMatchObject({ isexec: true, size: 4, extra: { desc: "a tool" } });
    const cleared = updatePointerText(
      commented,
      { path: "a", md5: "fedcba9876543210fedcba9876543210", size: 4 },
      "a.dvc",
    );
    expect(cleared).not.toContain("isexec");
    let error: unknown;
    try {
      parsePointer(written.replace("isexec: true", "isexec: 'yes'"), "a.dvc");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LatheError);
    expect((error as LatheError).message).toMatch(/a\.dvc .*isexec must be true or false/);
  });
});
