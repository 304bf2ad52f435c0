/**
 * @module cli/new
 * `lathe new <dir>`: a project skeleton with data versioning, a pipeline, tests and a Makefile.
 */
import type { Command } from "commander";

interface NewFlags {
  template: string;
  name?: string;
  force?: boolean;
}

export function registerNewCommand(program: Command): void {
  program
    .command("new <dir>")
    .description("Create a project (Cookiecutter Data Science layout) with a pipeline, git and data versioning.")
    .option("-t, --template <name>", "typescript or python", "typescript")
    .option("--name <name>", "project name (default: the folder's name)")
    .option("-f, --force", "write into a folder that is not empty")
    .action(async (dir: string, flags: NewFlags) => {
      const { createProject } = await import("../scaffold/index.js");
      const result = await createProject({ dir, template: flags.template, name: flags.name, force: flags.force });
      const next =
        result.template === "python" ? "pip install -r requirements.txt && make train" : "npm install && make train";
      process.stdout.write(
        `Created the ${result.template} project '${result.names.title}' in ${result.root} (${result.files.length} files; git and data versioning initialised).\nNext: cd ${dir} && ${next}\n`,
      );
    });
}
