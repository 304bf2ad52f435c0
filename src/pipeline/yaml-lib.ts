/**
 * @module pipeline/yaml-lib
 * The full `yaml` parser, loaded on first use: the fast reader handles the usual pipeline files,
 * and loading the library costs tens of milliseconds that a no-op `repro` should not pay.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let loaded: typeof Yaml | undefined;

/** The `yaml` package. */
export function yamlLib(): typeof Yaml {
  if (!loaded) loaded = createRequire(import.meta.url)("yaml") as typeof Yaml;
  return loaded;
}
