/**
 * @module scaffold/new-project
 * `lathe new`: writes a project from a template into a new or empty folder, then makes it a git
 * repository and a Lathe data repository, and tracks the sample raw data.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { invalidParameter, LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import {
  type FileMap,
  KEPT_FOLDERS,
  modelCardTemplate,
  type ProjectNames,
  paramsYaml,
  RAW_DATA,
  sampleChurnCsv,
  validationSuiteYaml,
} from "./templates/common.js";
import { pythonTemplate } from "./templates/python.js";
import { typescriptTemplate } from "./templates/typescript.js";

export const TEMPLATES = ["typescript", "python"] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface NewProjectOptions {
  /** Folder to create the project in (created when missing). */
  dir: string;
  /** Default "typescript". */
  template?: string;
  /** Project name (default: the folder's name). */
  name?: string;
  /** Write into a folder that is not empty; files of the same names are replaced. */
  force?: boolean;
  cwd?: string;
}

export interface NewProjectResult {
  root: string;
  template: TemplateName;
  names: ProjectNames;
  /** Relative paths written, sorted. */
  files: string[];
}

/** Derives the module and package names from a project name, or says why it cannot. */
export function projectNames(title: string): ProjectNames {
  const module = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (module === "")
    throw invalidParameter(
      `The project name '${title}' has no letters or digits. Pass --name with a name such as churn-model.`,
    );
  const safe = /^[0-9]/.test(module) ? `project_${module}` : module;
  return { title, module: safe, packageName: safe.replaceAll("_", "-") };
}

function checkTemplate(template: string | undefined): TemplateName {
  const name = template ?? "typescript";
  if (!(TEMPLATES as readonly string[]).includes(name))
    throw invalidParameter(`Unknown template '${name}'. Use --template ${TEMPLATES.join(" or --template ")}.`);
  return name as TemplateName;
}

/** Every file of a project, by relative path. */
export function renderProject(template: TemplateName, names: ProjectNames): FileMap {
  const files: FileMap = {};
  for (const folder of KEPT_FOLDERS) files[`${folder}/.gitkeep`] = "";
  Object.assign(files, {
    "params.yaml": paramsYaml(),
    [RAW_DATA]: sampleChurnCsv(),
    "references/expectations.yml": validationSuiteYaml(),
    "references/model_card.md": modelCardTemplate(names),
    "docs/index.md": `# ${names.title}\n\nProject documentation. Start with the README at the root.\n`,
    "notebooks/README.md":
      "Notebooks are named `<number>-<initials>-<description>.ipynb`, e.g. `1.0-abc-first-look.ipynb`.\n",
  });
  Object.assign(files, template === "python" ? pythonTemplate(names) : typescriptTemplate(names));
  return files;
}

async function checkTarget(root: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    const info = await stat(root);
    if (!info.isDirectory())
      throw new LatheError("INVALID_STATE", `${root} is a file, not a folder. Choose another path for the project.`);
    entries = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (entries.length > 0 && !force)
    throw new LatheError(
      "RESOURCE_ALREADY_EXISTS",
      `${root} is not empty (${entries.length} entries). Choose a new or empty folder, or pass --force to write the project into it (files with the same names are replaced).`,
    );
}

function gitInit(root: string): void {
  try {
    const top = execFileSync("git", ["rev-parse", "--show-toplevel"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    if (resolve(top) === root) return;
  } catch {
    // Not inside a repository yet.
  }
  try {
    execFileSync("git", ["init", "--quiet", "--initial-branch=main"], { cwd: root, stdio: "ignore" });
  } catch (error) {
    throw new LatheError(
      "INVALID_STATE",
      `'git init' failed in ${root}. Install git and make sure it is on the PATH, then run 'lathe new' again with --force.`,
      { cause: error },
    );
  }
}

/** Creates the project; see {@link NewProjectOptions}. */
export async function createProject(options: NewProjectOptions): Promise<NewProjectResult> {
  const template = checkTemplate(options.template);
  const root = resolve(options.cwd ?? process.cwd(), options.dir);
  const names = projectNames(options.name ?? basename(root));
  await checkTarget(root, options.force ?? false);
  const files = renderProject(template, names);
  for (const [path, content] of Object.entries(files)) await writeFileAtomic(join(root, path), content);
  gitInit(root);
  const [{ initDataRepo }, { addCommand }] = await Promise.all([
    import("../data/repo.js"),
    import("../data/commands.js"),
  ]);
  // An existing .dvc/ (re-running with --force) keeps its config and remotes.
  if (!existsSync(join(root, ".dvc"))) await initDataRepo(root);
  await addCommand([RAW_DATA], { cwd: root });
  return { root, template, names, files: Object.keys(files).sort() };
}
