/**
 * @module validation/profile
 * Writes a starting suite from reference data (GX 1.x removed its profilers; reference/monitoring.md
 * §4.6): the ordered column list, a row count band of half to twice the observed count, and per
 * column its type, not-null where no value is missing, the observed min/max range for numeric
 * columns, and the value set for text columns with few distinct values. Two scans: statistics, then
 * the value sets of the low-cardinality columns.
 */
import { stringify } from "yaml";
import { openData } from "./engine.js";
import { isNumericType, quoteIdentifier } from "./sql.js";
import type { ExpectationConfig, ExpectationSuite } from "./types.js";

export interface ProfileOptions {
  /** Suite name; default: the file's base name. */
  name?: string;
  /** Most distinct values a text column may have to get an in-set expectation. */
  maxSetSize?: number;
}

function expectation(type: string, kwargs: Record<string, unknown>): ExpectationConfig {
  return { type, kwargs, meta: {} };
}

/** Profiles the file at `path` into a suite. */
export async function profileData(path: string, options: ProfileOptions = {}): Promise<ExpectationSuite> {
  const maxSetSize = options.maxSetSize ?? 20;
  const session = await openData(path);
  try {
    const { columns, source } = session;
    const aggregates = columns.flatMap((column) => {
      const quoted = quoteIdentifier(column.name);
      return isNumericType(column.type)
        ? [`count(${quoted})`, `min(${quoted})`, `max(${quoted})`]
        : [`count(${quoted})`, `count(DISTINCT ${quoted})`, "NULL"];
    });
    const [row] = await session.rows(`SELECT ${["count(*)", ...aggregates].join(", ")} FROM ${source}`);
    const rowCount = row![0] as number;
    const stats = columns.map((column, index) => ({
      column,
      nonNull: row![1 + index * 3] as number,
      second: row![2 + index * 3],
      third: row![3 + index * 3],
    }));
    const setColumns = stats.filter(
      (stat) =>
        stat.column.type === "VARCHAR" &&
        (stat.second as number) > 0 &&
        (stat.second as number) <= maxSetSize &&
        (stat.second as number) < stat.nonNull,
    );
    const sets = new Map<string, unknown[]>();
    if (setColumns.length > 0) {
      const lists = setColumns.map((stat) => {
        const quoted = quoteIdentifier(stat.column.name);
        return `list(DISTINCT ${quoted} ORDER BY ${quoted}) FILTER (WHERE ${quoted} IS NOT NULL)`;
      });
      const [values] = await session.rows(`SELECT ${lists.join(", ")} FROM ${source}`);
      for (const [index, stat] of setColumns.entries()) sets.set(stat.column.name, values![index] as unknown[]);
    }
    const expectations: ExpectationConfig[] = [
      expectation("expect_table_columns_to_match_ordered_list", { column_list: columns.map((column) => column.name) }),
      expectation("expect_table_row_count_to_be_between", {
        min_value: Math.floor(rowCount / 2),
        max_value: rowCount * 2,
      }),
    ];
    for (const stat of stats) {
      const column = stat.column.name;
      expectations.push(expectation("expect_column_values_to_be_of_type", { column, type_: stat.column.type }));
      if (rowCount > 0 && stat.nonNull === rowCount)
        expectations.push(expectation("expect_column_values_to_not_be_null", { column }));
      if (isNumericType(stat.column.type) && stat.nonNull > 0)
        expectations.push(
          expectation("expect_column_values_to_be_between", { column, min_value: stat.second, max_value: stat.third }),
        );
      const set = sets.get(column);
      if (set) expectations.push(expectation("expect_column_values_to_be_in_set", { column, value_set: set }));
    }
    const base = path.split(/[\\/]/).pop() ?? path;
    return {
      name: options.name ?? base.replace(/\.[^.]+$/, ""),
      expectations,
      meta: { profiled_from: path, row_count: rowCount },
    };
  } finally {
    session.close();
  }
}

/** A suite as YAML (or JSON when `json` is set), in GX's layout. */
export function formatSuite(suite: ExpectationSuite, json = false): string {
  const document = { name: suite.name, meta: suite.meta, expectations: suite.expectations };
  return json ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0 });
}
