/**
 * @module server/params
 * Reads an MLflow request message from either form it arrives in: JSON body fields (POST, PATCH,
 * DELETE) or query parameters (GET, repeated keys for lists, booleans in any case). Proto-JSON
 * allows int64 as strings and doubles as "NaN"/"Infinity"; unknown fields are ignored. Every
 * problem becomes INVALID_PARAMETER_VALUE naming the field.
 */
import { invalidParameter } from "../core/errors.js";

type Source = Record<string, unknown>;

function describe(value: unknown): string {
  const text = typeof value === "string" ? `'${value}'` : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

export class RequestParams {
  constructor(
    private readonly source: Source,
    /** Query-string form: every value arrived as text. */
    private readonly fromQuery: boolean,
  ) {}

  static fromQuery(query: unknown): RequestParams {
    return new RequestParams((query ?? {}) as Source, true);
  }

  static fromBody(body: unknown): RequestParams {
    if (body === undefined || body === null || body === "") return new RequestParams({}, false);
    if (typeof body !== "object" || Array.isArray(body)) {
      throw invalidParameter('The request body must be a JSON object, for example {"experiment_id": "0"}.');
    }
    return new RequestParams(body as Source, false);
  }

  has(name: string): boolean {
    const value = this.source[name];
    return value !== undefined && value !== null && value !== "";
  }

  private single(name: string): unknown {
    const value = this.source[name];
    // A repeated query key for a scalar field: the last one wins, as in Flask's request.args.
    return this.fromQuery && Array.isArray(value) ? value[value.length - 1] : value;
  }

  optionalString(name: string): string | undefined {
    const value = this.single(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw invalidParameter(`Invalid value ${describe(value)} for parameter '${name}' supplied: expected a string.`);
  }

  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === "") throw invalidParameter(`Missing value for required parameter '${name}'.`);
    return value;
  }

  /** The run id under its current name or the deprecated `run_uuid` alias. */
  runId(): string {
    const value = this.optionalString("run_id") || this.optionalString("run_uuid");
    if (!value) throw invalidParameter("Missing value for required parameter 'run_id'.");
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.single(name);
    if (value === undefined || value === null || value === "") return undefined;
    const number =
      typeof value === "number"
        ? value
        : typeof value === "string" && /^-?\d+$/.test(value.trim())
          ? Number(value)
          : Number.NaN;
    if (!Number.isSafeInteger(number)) {
      throw invalidParameter(
        `Invalid value ${describe(value)} for parameter '${name}' supplied: expected a whole number.`,
      );
    }
    return number;
  }

  requiredInteger(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw invalidParameter(`Missing value for required parameter '${name}'.`);
    return value;
  }

  requiredDouble(name: string): number {
    const value = this.single(name);
    if (value === undefined || value === null || value === "")
      throw invalidParameter(`Missing value for required parameter '${name}'.`);
    return parseDouble(value, name);
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.single(name);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
    throw invalidParameter(
      `Invalid value ${describe(value)} for parameter '${name}' supplied: expected true or false.`,
    );
  }

  /** A repeated string field: a JSON array, repeated query keys, or a single value. */
  stringList(name: string): string[] {
    const value = this.source[name];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((item, index) => {
      if (typeof item === "string") return item;
      if (typeof item === "number") return String(item);
      throw invalidParameter(`Invalid value ${describe(item)} at ${name}[${index}]: expected a string.`);
    });
  }

  /** A repeated message field: a JSON array of objects. */
  objectList(name: string): RequestParams[] {
    const value = this.source[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value))
      throw invalidParameter(`Invalid value ${describe(value)} for parameter '${name}' supplied: expected a list.`);
    return value.map((item, index) => {
      if (item === null || typeof item !== "object" || Array.isArray(item)) {
        throw invalidParameter(`Invalid value ${describe(item)} at ${name}[${index}]: expected an object.`);
      }
      return new RequestParams(item as Source, false);
    });
  }

  /** A nested message field. */
  object(name: string): RequestParams {
    const value = this.source[name];
    if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
      throw invalidParameter(`Missing value for required parameter '${name}': expected an object.`);
    }
    return new RequestParams(value as Source, false);
  }
}

/** A double in proto-JSON: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
export function parseDouble(value: unknown, name: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text === "NaN" || text === "nan") return Number.NaN;
    if (text === "Infinity" || text === "inf") return Number.POSITIVE_INFINITY;
    if (text === "-Infinity" || text === "-inf") return Number.NEGATIVE_INFINITY;
    if (text !== "" && Number.isFinite(Number(text))) return Number(text);
  }
  throw invalidParameter(
    `Invalid value ${describe(value)} for parameter '${name}' supplied: expected a number (or "NaN", "Infinity", "-Infinity").`,
  );
}
