/**
 * @module validation/plan
 * How an expectation runs. Each one compiles to a plan: SQL aggregate expressions that join a single
 * shared scan of the data, and a `finish` step that turns their values into GX's result (and may run
 * a small follow-up query, e.g. for the partial unexpected list). Helpers here implement GX's column
 * map semantics: nulls are skipped, and success means the share of non-null values that pass is at
 * least `mostly` (vacuously true when there are none; reference/monitoring.md §4.2).
 */
import type { ArgSpec } from "./kwargs.js";
import { quoteIdentifier } from "./sql.js";
import type { ColumnInfo, Kwargs } from "./types.js";

/** The longest partial unexpected list, as in GX. */
export const PARTIAL_LIMIT = 20;

export interface FinishContext {
  /** This plan's aggregate values, in the order of `Plan.aggregates`, made plain. */
  values: readonly unknown[];
  rowCount: number;
  /** The FROM expression of the data. */
  source: string;
  rows(sql: string): Promise<unknown[][]>;
  /**
   * Visits the first column of every row in file order: null, numbers, bigints (BIGINT columns),
   * strings, booleans; other types as their text.
   */
  stream(sql: string, visit: (value: unknown) => void): Promise<void>;
}

export interface Outcome {
  success: boolean;
  result: Record<string, unknown>;
}

export interface Plan {
  aggregates: string[];
  finish(context: FinishContext): Outcome | Promise<Outcome>;
}

export interface PlanContext {
  source: string;
  columns: readonly ColumnInfo[];
}

export interface ExpectationDefinition {
  args: readonly ArgSpec[];
  /** Checks across kwargs beyond each one's type; throws a LatheError. */
  check?(where: string, kwargs: Kwargs): void;
  plan(kwargs: Kwargs, context: PlanContext): Plan;
}

/** The data does not fit the expectation (a missing column, a wrong type): reported, not thrown. */
export class DataMismatch extends Error {}

/** The column's info, or a DataMismatch naming the columns that exist. */
export function findColumn(context: PlanContext, name: string): ColumnInfo {
  const column = context.columns.find((candidate) => candidate.name === name);
  if (!column)
    throw new DataMismatch(
      `column '${name}' is not in the data (columns: ${context.columns.map((c) => c.name).join(", ")})`,
    );
  return column;
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (part / whole) * 100;
}

/** GX's `mostly` rule over `counted` values of which `unexpected` failed. */
export function passesMostly(counted: number, unexpected: number, mostly: number): boolean {
  return counted === 0 || (counted - unexpected) / counted >= mostly;
}

/** The result of a map expectation whose unexpected values are among the non-null ones. */
export function mapOutcome(
  elementCount: number,
  nonNull: number,
  unexpected: number,
  partial: unknown[],
  mostly: number,
): Outcome {
  const missing = elementCount - nonNull;
  return {
    success: passesMostly(nonNull, unexpected, mostly),
    result: {
      element_count: elementCount,
      unexpected_count: unexpected,
      unexpected_percent: percent(unexpected, nonNull),
      partial_unexpected_list: partial,
      missing_count: missing,
      missing_percent: percent(missing, elementCount),
      unexpected_percent_total: percent(unexpected, elementCount),
      unexpected_percent_nonmissing: percent(unexpected, nonNull),
    },
  };
}

/** The result of the null expectations, which count every row. */
export function nullOutcome(elementCount: number, unexpected: number, partial: unknown[], mostly: number): Outcome {
  return {
    success: passesMostly(elementCount, unexpected, mostly),
    result: {
      element_count: elementCount,
      unexpected_count: unexpected,
      unexpected_percent: percent(unexpected, elementCount),
      partial_unexpected_list: partial,
    },
  };
}

/**
 * A column map expectation from the SQL condition a non-null value must meet. The condition's NULL
 * (e.g. a failed cast) counts as unexpected.
 */
export function columnMapPlan(column: string, mostly: number, passes: (quoted: string) => string): Plan {
  const quoted = quoteIdentifier(column);
  const unexpected = `${quoted} IS NOT NULL AND NOT coalesce(${passes(quoted)}, FALSE)`;
  return {
    aggregates: [`count(${quoted})`, `count(*) FILTER (WHERE ${unexpected})`],
    async finish(context) {
      const [nonNull, count] = context.values as number[];
      const partial =
        count! > 0
          ? (
              await context.rows(`SELECT ${quoted} FROM ${context.source} WHERE ${unexpected} LIMIT ${PARTIAL_LIMIT}`)
            ).map((row) => row[0])
          : [];
      return mapOutcome(context.rowCount, nonNull!, count!, partial, mostly);
    },
  };
}

/** Column map kwargs: `column` and `mostly`. */
export const MAP_ARGS: readonly ArgSpec[] = [
  { name: "column", kind: "column", required: true },
  { name: "mostly", kind: "mostly", default: 1 },
];
