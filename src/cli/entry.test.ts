import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { FAST_GROUPS, programFor } from "./entry.js";
import { buildProgram } from "./program.js";

const names = (program: Command) => program.commands.map((command) => command.name());

describe("programFor", () => {
  it("lists exactly the top-level commands each fast group registers, and no other group has them", async () => {
    const everything = names(buildProgram());
    for (const group of FAST_GROUPS) {
      const alone = new Command();
      (await group.load())(alone);
      expect(names(alone).sort()).toEqual([...group.commands].sort());
      for (const name of group.commands) expect(everything.filter((other) => other === name)).toEqual([name]);
    }
  });

  it("loads one group for its commands and the whole tree for anything else", async () => {
    const status = await programFor(["node", "lathe", "status"]);
    expect(names(status)).toContain("push");
    expect(names(status)).not.toContain("server");
    expect(status.name()).toBe("lathe");
    for (const argv of [["server"], ["--help"], [], ["statsu"]]) {
      const program = await programFor(["node", "lathe", ...argv]);
      expect(names(program)).toEqual(names(buildProgram()));
    }
  });
});
