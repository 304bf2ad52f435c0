/**
 * @module pipeline/structured-file
 * Reads a parameters or `vars` file (YAML or JSON) from a {@link FileSource} into a mapping.
 * TOML and Python params files, which DVC also accepts, are refused with a clear message.
 */
import { LatheError } from "../core/errors.js";
import { parseFastYaml } from "./fast-yaml.js";
import type { FileSource } from "./types.js";
import { yamlLib } from "./yaml-lib.js";

/** The top-level mapping of `relpath`; undefined when absent. */
export async function readParamsFile(
  source: FileSource,
  relpath: string,
): Promise<Record<string, unknown> | undefined> {
  const text = await source.read(relpath);
  if (text === undefined) return undefined;
  return parseParamsText(text, relpath);
}

/** Parses params text by the file's extension (YAML 1.2 for everything but `.json`). */
export function parseParamsText(text: string, relpath: string): Record<string, unknown> {
  if (/\.(toml|py)$/i.test(relpath))
    throw new LatheError(
      "CONFIG_INVALID",
      `${relpath}: TOML and Python params files are not supported. Convert it to YAML (params.yaml) or JSON.`,
    );
  let value: unknown;
  try {
    value = /\.json$/i.test(relpath)
      ? JSON.parse(text)
      : (parseFastYaml(text)?.value ?? yamlLib().parse(text, { version: "1.2" }));
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new LatheError("CONFIG_INVALID", `${relpath} does not parse (${detail}). Fix its syntax.`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw new LatheError("CONFIG_INVALID", `${relpath} must hold a mapping of names to values at the top level.`);
  return value as Record<string, unknown>;
}
