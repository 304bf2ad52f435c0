/**
 * The CLI from source: `lathe dag` on the get-started pipeline, `lathe repro` output and exit
 * codes, `lathe status` with pipelines, and SIGTERM during a stage.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseLockFile } from "../../src/pipeline/lockfile.js";
import { lathe, makeRepo, read, removeRepo, writeFiles } from "./helpers.js";

let root: string;
beforeEach(async () => {
  root = await makeRepo();
});
afterEach(async () => removeRepo(root));

const FIXTURE = join(import.meta.dirname, "../fixtures/pipeline/get-started");

describe("lathe dag", () => {
  it("prints the get-started graph as text, mermaid, markdown and dot", async () => {
    await copyFile(join(FIXTURE, "dvc.yaml"), join(root, "dvc.yaml"));
    await copyFile(join(FIXTURE, "params.yaml"), join(root, "params.yaml"));
    const mermaid = `flowchart TD
\tnode1["evaluate"]
\tnode2["featurize"]
\tnode3["prepare"]
\tnode4["train"]
\tnode2-->node1
\tnode2-->node4
\tnode3-->node2
\tnode4-->node1
`;
    // One after another: each run starts a process, and CPU is shared with other tests.
    const text = await lathe(root, ["dag"]);
    const asMermaid = await lathe(root, ["dag", "--mermaid"]);
    const asMarkdown = await lathe(root, ["dag", "--md"]);
    const asDot = await lathe(root, ["dag", "--dot", "featurize"]);
    expect(asMarkdown.stderr).toBe("");
    expect(text.stdout).toBe(
      "* prepare\n  └─ featurize     ← prepare\n    └─ train       ← featurize\n      └─ evaluate  ← featurize, train\n",
    );
    expect(asMermaid.stdout).toBe(mermaid);
    expect(asMarkdown.stdout).toBe(`\`\`\`mermaid\n${mermaid}\`\`\`\n`);
    expect(asDot.stdout).toBe('strict digraph  {\n"featurize";\n"prepare";\n"prepare" -> "featurize";\n}\n');
  });
});

describe("lathe repro and status", () => {
  it("prints DVC's messages, prefixes stage output, and reports pipelines in status", async () => {
    await writeFiles(root, {
      "dvc.yaml":
        "stages:\n  hello:\n    cmd: echo hi && echo oops >&2 && echo hi > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n",
      "in.txt": "x\n",
    });
    const before = await lathe(root, ["status"]);
    expect(JSON.parse(before.stdout)).toEqual({
      stages: { hello: [{ "changed deps": { "in.txt": "modified" } }, { "changed outs": { "out.txt": "deleted" } }] },
      data: [],
    });
    const first = await lathe(root, ["repro"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      "Running stage 'hello':\n> echo hi && echo oops >&2 && echo hi > out.txt\n[hello] hi\n",
    );
    expect(first.stdout).toContain("Updating lock file 'dvc.lock'\n");
    expect(first.stderr).toContain("[hello] oops\n");
    const second = await lathe(root, ["repro"]);
    expect(second.stdout).toBe("Stage 'hello' didn't change, skipping\nData and pipelines are up to date.\n");
    const status = await lathe(root, ["status"]);
    expect(JSON.parse(status.stdout)).toEqual({ stages: {}, data: [] });
  });

  it("a failing stage exits non-zero naming the exit code", async () => {
    await writeFiles(root, {
      "dvc.yaml": "stages:\n  bad:\n    cmd: exit 3\n    deps: [in.txt]\n    outs: [o]\n",
      "in.txt": "x",
    });
    const result = await lathe(root, ["repro"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERROR: failed to reproduce 'bad': exit code 3 from 'exit 3'");
  });

  it("a malformed dvc.yaml exits with the config error code and file:line", async () => {
    await writeFiles(root, { "dvc.yaml": "stages:\n  bad:\n    cmd: x\n    dep: [a]\n" });
    const result = await lathe(root, ["repro"]);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/^lathe: dvc\.yaml:4: unknown key 'dep' in stage 'bad'\. Use only cmd, wdir, deps/);
  });

  it("releases the repository lock while a command runs, so a stage may call lathe itself", async () => {
    const main = join(import.meta.dirname, "../../src/cli/main.ts");
    const nested = `${process.execPath} --import ${import.meta.resolve("tsx")} ${main} status --json > status.json`;
    await writeFiles(root, {
      "dvc.yaml": `stages:\n  nested:\n    cmd: ${JSON.stringify(nested)}\n    deps: [in.txt]\n    outs:\n      - status.json: {cache: false}\n`,
      "in.txt": "x",
    });
    const result = await lathe(root, ["repro"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(await read(root, "status.json")).stages).toHaveProperty("nested");
  });

  it("SIGTERM stops the running stage's process group and leaves dvc.lock valid", async () => {
    const marker = `sleep 37.${process.pid}`;
    await writeFiles(root, {
      "dvc.yaml": `stages:\n  quick:\n    cmd: echo q > q.txt\n    deps: [in.txt]\n    outs: [q.txt]\n  slow:\n    cmd: ${marker} && echo s > s.txt\n    deps: [q.txt]\n    outs: [s.txt]\n`,
      "in.txt": "x",
    });
    const main = join(import.meta.dirname, "../../src/cli/main.ts");
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), main, "repro"], { cwd: root });
    let stdout = "";
    const started = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("Running stage 'slow'")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await started;
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
    const lock = parseLockFile(await read(root, "dvc.lock"), "dvc.lock");
    expect([...lock.keys()]).toEqual(["quick"]);
    const processes = execFileSync("ps", ["-eo", "args"]).toString();
    expect(processes).not.toContain(marker);
    expect(await readFile(join(root, "q.txt"), "utf8")).toBe("q\n");
  });
});
