/**
 * @module deploy/checks
 * A tiny toolkit for structural validators: walk a parsed document by path and record problems
 * that name the field (`spec.template.spec.containers[0].image`), never throwing on the first.
 */

/** One thing wrong with a generated or hand-edited file. */
export interface Problem {
  /** File the problem is in. */
  file: string;
  /** Resource or section, e.g. `Deployment/churn-model` or `jobs.test`. */
  where: string;
  /** Dotted path of the field. */
  path: string;
  message: string;
}

export type Json = unknown;

export function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Collects problems for one document. */
export class Checker {
  readonly problems: Problem[] = [];

  constructor(
    readonly file: string,
    public where: string,
  ) {}

  report(path: string, message: string): void {
    this.problems.push({ file: this.file, where: this.where, path, message });
  }

  /** The value at `path` must be an object; returns it or undefined after reporting. */
  object(value: Json, path: string, required = true): Record<string, Json> | undefined {
    if (value === undefined) {
      if (required) this.report(path, "is required (an object)");
      return undefined;
    }
    if (!isObject(value)) {
      this.report(path, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  array(value: Json, path: string, required = true, nonEmpty = false): Json[] | undefined {
    if (value === undefined) {
      if (required) this.report(path, "is required (a list)");
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.report(path, `must be a list, got ${describe(value)}`);
      return undefined;
    }
    if (nonEmpty && value.length === 0) this.report(path, "must not be empty");
    return value;
  }

  string(value: Json, path: string, required = true): string | undefined {
    if (value === undefined) {
      if (required) this.report(path, "is required (a string)");
      return undefined;
    }
    if (typeof value !== "string" || value === "") {
      this.report(path, `must be a non-empty string, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  integer(
    value: Json,
    path: string,
    options: { required?: boolean; min?: number; max?: number } = {},
  ): number | undefined {
    if (value === undefined) {
      if (options.required) this.report(path, "is required (a whole number)");
      return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.report(path, `must be a whole number, got ${describe(value)}`);
      return undefined;
    }
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      this.report(path, `must be between ${options.min ?? "-∞"} and ${options.max ?? "∞"}, got ${value}`);
      return undefined;
    }
    return value;
  }

  boolean(value: Json, path: string): void {
    if (value !== undefined && typeof value !== "boolean")
      this.report(path, `must be true or false, got ${describe(value)}`);
  }

  oneOf(value: Json, path: string, allowed: readonly string[], required = false): string | undefined {
    if (value === undefined) {
      if (required) this.report(path, `is required (one of ${allowed.join(", ")})`);
      return undefined;
    }
    if (typeof value !== "string" || !allowed.includes(value)) {
      this.report(path, `must be one of ${allowed.join(", ")}, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** An object whose values are all strings (labels, selectors, ConfigMap data). */
  stringMap(value: Json, path: string, required = true): Record<string, string> | undefined {
    const map = this.object(value, path, required);
    if (!map) return undefined;
    const result: Record<string, string> = {};
    for (const [key, entry] of Object.entries(map)) {
      if (typeof entry !== "string") this.report(`${path}.${key}`, `must be a string, got ${describe(entry)}`);
      else result[key] = entry;
    }
    return result;
  }
}

export function describe(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `'${value}'`;
  return `${typeof value} ${String(value)}`;
}

/** Problems as lines: `file: where: path: message`. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((problem) => `${problem.file}: ${problem.where}: ${problem.path ? `${problem.path} ` : ""}${problem.message}`)
    .join("\n");
}
