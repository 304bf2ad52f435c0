/**
 * @module validation/suite
 * Expectation suites in YAML or JSON with GX's layout: `{name, expectations: [{type, kwargs, meta}]}`.
 * GX 0.x spellings are read too (`expectation_suite_name`, `expectation_type`). The whole suite is
 * checked on load, so a typo fails before any data is read, naming the expectation's index.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { invalidParameter, LatheError } from "../core/errors.js";
import { EXPECTATIONS, findExpectation } from "./expectations/index.js";
import { checkKwargs } from "./kwargs.js";
import type { ExpectationDefinition } from "./plan.js";
import type { ExpectationConfig, ExpectationSuite, Kwargs } from "./types.js";

export interface CompiledExpectation {
  config: ExpectationConfig;
  definition: ExpectationDefinition;
  kwargs: Kwargs;
}

const ENTRY_KEYS = new Set([
  "type",
  "expectation_type",
  "kwargs",
  "meta",
  "id",
  "notes",
  "description",
  "rendered_content",
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** Closest known expectation name, for "did you mean". */
function suggest(type: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of Object.keys(EXPECTATIONS)) {
    const distance = editDistance(type, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(3, type.length / 4) ? best : undefined;
}

/** Checks every expectation of `suite` and pairs it with its definition and typed kwargs. */
export function compileSuite(suite: ExpectationSuite, source = "the suite"): CompiledExpectation[] {
  return suite.expectations.map((config, index) => {
    const where = `${source}: expectations[${index}] (${config.type})`;
    const definition = findExpectation(config.type);
    if (!definition) {
      const hint = suggest(config.type);
      throw invalidParameter(
        `${source}: expectations[${index}] has the unknown type '${config.type}'; ${hint ? `did you mean '${hint}'? ` : ""}` +
          "docs/validation.md lists the supported expectations.",
      );
    }
    const kwargs = checkKwargs(where, definition.args, config.kwargs);
    definition.check?.(where, kwargs);
    return { config, definition, kwargs };
  });
}

/** Validates a parsed suite document into a suite. */
export function suiteFromObject(document: unknown, source = "the suite"): ExpectationSuite {
  if (!isObject(document))
    throw invalidParameter(`${source} must be a mapping with 'name' and 'expectations'; see docs/validation.md.`);
  const name = document.name ?? document.expectation_suite_name ?? "suite";
  if (typeof name !== "string") throw invalidParameter(`${source}: 'name' must be text, got ${JSON.stringify(name)}.`);
  const list = document.expectations;
  if (!Array.isArray(list))
    throw invalidParameter(`${source}: 'expectations' must be a list of {type, kwargs} entries.`);
  const meta = isObject(document.meta) ? document.meta : {};
  const expectations = list.map((entry, index): ExpectationConfig => {
    const where = `${source}: expectations[${index}]`;
    if (!isObject(entry)) throw invalidParameter(`${where} must be a mapping with 'type' and 'kwargs'.`);
    for (const key of Object.keys(entry))
      if (!ENTRY_KEYS.has(key))
        throw invalidParameter(`${where} has the unknown field '${key}'; put arguments under 'kwargs'.`);
    const type = entry.type ?? entry.expectation_type;
    if (typeof type !== "string")
      throw invalidParameter(`${where} needs 'type' (or 'expectation_type'), e.g. type: expect_column_to_exist.`);
    const kwargs = entry.kwargs ?? {};
    if (!isObject(kwargs)) throw invalidParameter(`${where} (${type}): 'kwargs' must be a mapping of argument names.`);
    if (entry.meta !== undefined && !isObject(entry.meta))
      throw invalidParameter(`${where} (${type}): 'meta' must be a mapping.`);
    return { type, kwargs, meta: (entry.meta as Record<string, unknown> | undefined) ?? {} };
  });
  const suite = { name, expectations, meta };
  compileSuite(suite, source);
  return suite;
}

/** Parses suite text (YAML, which includes JSON). */
export function parseSuite(text: string, source = "the suite"): ExpectationSuite {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw invalidParameter(`${source} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  return suiteFromObject(document, source);
}

/** Reads and checks a suite file. */
export async function loadSuite(path: string): Promise<ExpectationSuite> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new LatheError(
        "RESOURCE_DOES_NOT_EXIST",
        `The suite ${path} does not exist; check the path or run lathe profile.`,
      );
    throw new LatheError("IO_ERROR", `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseSuite(text, path);
}
