/**
 * @module validation/expectations/rows
 * Expectations that look across rows or columns: uniqueness (every occurrence of a repeated value is
 * unexpected, as in GX), column pairs, and monotonic order (checked in file order while streaming
 * the one column).
 */
import {
  type ExpectationDefinition,
  findColumn,
  MAP_ARGS,
  mapOutcome,
  PARTIAL_LIMIT,
  type Plan,
  type PlanContext,
} from "../plan.js";
import { plainValue, quoteIdentifier } from "../sql.js";

/**
 * Uniqueness over `columns` among the rows `kept`: the shared scan compares the count with the
 * distinct count, and only when they differ do two follow-up queries count and list the repeats.
 */
function uniquePlan(columns: string[], kept: string, mostly: number, asObject: boolean): Plan {
  const quoted = columns.map(quoteIdentifier);
  // A struct key compares NULL fields as equal, as GROUP BY does.
  const key = quoted.length === 1 ? quoted[0]! : `row(${quoted.join(", ")})`;
  return {
    aggregates: [`count(*) FILTER (WHERE ${kept})`, `count(DISTINCT ${key}) FILTER (WHERE ${kept})`],
    async finish({ values, rowCount, rows, source }) {
      const [keptCount, distinct] = values as number[];
      let unexpected = 0;
      let partial: unknown[] = [];
      if (distinct! < keptCount!) {
        const groups = `SELECT count(*) AS lathe_n, ${key} AS lathe_key FROM ${source} WHERE ${kept} GROUP BY lathe_key HAVING count(*) > 1`;
        unexpected = (await rows(`SELECT sum(lathe_n) FROM (${groups})`))[0]![0] as number;
        const listed = await rows(
          `SELECT ${quoted.join(", ")} FROM ${source} WHERE ${kept} AND ${key} IN (SELECT lathe_key FROM (${groups})) LIMIT ${PARTIAL_LIMIT}`,
        );
        partial = listed.map((row) =>
          asObject ? Object.fromEntries(columns.map((name, i) => [name, row[i]])) : row[0],
        );
      }
      return mapOutcome(rowCount, keptCount!, unexpected, partial, mostly);
    },
  };
}

export const expectColumnValuesToBeUnique: ExpectationDefinition = {
  args: MAP_ARGS,
  plan(kwargs, context) {
    const name = findColumn(context, kwargs.column as string).name;
    return uniquePlan([name], `${quoteIdentifier(name)} IS NOT NULL`, kwargs.mostly as number, false);
  },
};

function columnList(context: PlanContext, names: readonly string[]): string[] {
  return names.map((name) => findColumn(context, name).name);
}

export const expectCompoundColumnsToBeUnique: ExpectationDefinition = {
  args: [
    { name: "column_list", kind: "columns", required: true },
    { name: "mostly", kind: "mostly", default: 1 },
    {
      name: "ignore_row_if",
      kind: { oneOf: ["all_values_are_missing", "any_value_is_missing", "never"] },
      default: "all_values_are_missing",
    },
  ],
  plan(kwargs, context) {
    const columns = columnList(context, kwargs.column_list as readonly string[]);
    const notNull = columns.map((name) => `${quoteIdentifier(name)} IS NOT NULL`);
    const kept =
      kwargs.ignore_row_if === "never"
        ? "TRUE"
        : kwargs.ignore_row_if === "any_value_is_missing"
          ? notNull.join(" AND ")
          : `(${notNull.join(" OR ")})`;
    return uniquePlan(columns, kept, kwargs.mostly as number, true);
  },
};

function pairDefinition(orEqual: boolean): ExpectationDefinition {
  return {
    args: [
      { name: "column_A", kind: "column", required: true },
      { name: "column_B", kind: "column", required: true },
      { name: "or_equal", kind: "boolean", default: orEqual },
      { name: "mostly", kind: "mostly", default: 1 },
      {
        name: "ignore_row_if",
        kind: { oneOf: ["both_values_are_missing", "either_value_is_missing", "neither"] },
        default: "both_values_are_missing",
      },
    ],
    plan(kwargs, context) {
      const a = quoteIdentifier(findColumn(context, kwargs.column_A as string).name);
      const b = quoteIdentifier(findColumn(context, kwargs.column_B as string).name);
      const kept =
        kwargs.ignore_row_if === "neither"
          ? "TRUE"
          : kwargs.ignore_row_if === "either_value_is_missing"
            ? `${a} IS NOT NULL AND ${b} IS NOT NULL`
            : `(${a} IS NOT NULL OR ${b} IS NOT NULL)`;
      const unexpected = `${kept} AND NOT coalesce(${a} ${kwargs.or_equal ? ">=" : ">"} ${b}, FALSE)`;
      return {
        aggregates: [`count(*) FILTER (WHERE ${kept})`, `count(*) FILTER (WHERE ${unexpected})`],
        async finish({ values, rowCount, rows, source }) {
          const [keptCount, count] = values as number[];
          const partial =
            count! > 0 ? await rows(`SELECT ${a}, ${b} FROM ${source} WHERE ${unexpected} LIMIT ${PARTIAL_LIMIT}`) : [];
          return mapOutcome(rowCount, keptCount!, count!, partial, kwargs.mostly as number);
        },
      };
    },
  };
}

export const expectColumnPairValuesAToBeGreaterThanB = pairDefinition(false);

export const expectColumnValuesToBeIncreasing: ExpectationDefinition = {
  args: [...MAP_ARGS, { name: "strictly", kind: "boolean", default: false }],
  plan(kwargs, context) {
    const column = findColumn(context, kwargs.column as string);
    const quoted = quoteIdentifier(column.name);
    // Decimals and other exact types arrive as text; doubles compare as numbers do.
    const selected = column.type.startsWith("DECIMAL") ? `CAST(${quoted} AS DOUBLE)` : quoted;
    const strictly = kwargs.strictly === true;
    return {
      aggregates: [`count(${quoted})`],
      async finish({ values, rowCount, stream, source }) {
        let previous: unknown;
        let unexpected = 0;
        const partial: unknown[] = [];
        // Plain projection: DuckDB keeps file order for it (preserve_insertion_order).
        await stream(`SELECT ${selected} FROM ${source}`, (value) => {
          if (value === null) return;
          if (previous !== undefined) {
            const comparable = previous as number;
            const bad = strictly ? !((value as number) > comparable) : (value as number) < comparable;
            if (bad) {
              unexpected++;
              if (partial.length < PARTIAL_LIMIT) partial.push(plainValue(value));
            }
          }
          previous = value;
        });
        return mapOutcome(rowCount, values[0] as number, unexpected, partial, kwargs.mostly as number);
      },
    };
  },
};
