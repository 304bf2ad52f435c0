/**
 * @module cli/entry
 * Which command tree a command line needs. The data and pipeline commands (`lathe status`, `add`,
 * `repro`, …) are run often and should start fast, so for them only their own group is loaded;
 * anything else (`lathe --help`, `lathe server`, a typo) gets the whole tree from cli/program.
 */
import type { Command } from "commander";
import { baseProgram } from "./base.js";

type Register = (program: Command) => void;

/** Groups loaded alone, with the top-level commands each registers (a test keeps these lists true). */
export const FAST_GROUPS: readonly { readonly commands: readonly string[]; readonly load: () => Promise<Register> }[] =
  [
    {
      commands: ["init", "add", "status", "checkout", "gc", "diff", "remote", "push", "fetch", "pull"],
      load: async () => (await import("./data.js")).registerDataCommands,
    },
    {
      commands: ["repro", "dag"],
      load: async () => (await import("./pipeline.js")).registerPipelineCommands,
    },
  ];

/** The program to parse `argv` (`process.argv`: node, script, then the command). */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const name = argv[2];
  const group = FAST_GROUPS.find((candidate) => name !== undefined && candidate.commands.includes(name));
  if (!group) return (await import("./program.js")).buildProgram();
  const program = baseProgram();
  (await group.load())(program);
  return program;
}
