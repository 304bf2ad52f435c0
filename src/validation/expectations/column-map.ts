/**
 * @module validation/expectations/column-map
 * Row-wise expectations on one column: nulls, ranges, sets, patterns and lengths. Each becomes a SQL
 * condition counted in the shared scan.
 */
import { requireABound } from "../kwargs.js";
import {
  columnMapPlan,
  type ExpectationDefinition,
  findColumn,
  MAP_ARGS,
  nullOutcome,
  PARTIAL_LIMIT,
  type PlanContext,
} from "../plan.js";
import { isNumericType, literal, quoteIdentifier, type Scalar } from "../sql.js";
import type { Kwargs } from "../types.js";

export const expectColumnValuesToNotBeNull: ExpectationDefinition = {
  args: MAP_ARGS,
  plan(kwargs, context) {
    const quoted = quoteIdentifier(findColumn(context, kwargs.column as string).name);
    return {
      aggregates: [`count(${quoted})`],
      finish({ values, rowCount }) {
        const missing = rowCount - (values[0] as number);
        return nullOutcome(
          rowCount,
          missing,
          Array(Math.min(missing, PARTIAL_LIMIT)).fill(null),
          kwargs.mostly as number,
        );
      },
    };
  },
};

export const expectColumnValuesToBeNull: ExpectationDefinition = {
  args: MAP_ARGS,
  plan(kwargs, context) {
    const quoted = quoteIdentifier(findColumn(context, kwargs.column as string).name);
    return {
      aggregates: [`count(${quoted})`],
      async finish({ values, rowCount, rows, source }) {
        const present = values[0] as number;
        const partial =
          present > 0
            ? (await rows(`SELECT ${quoted} FROM ${source} WHERE ${quoted} IS NOT NULL LIMIT ${PARTIAL_LIMIT}`)).map(
                (row) => row[0],
              )
            : [];
        return nullOutcome(rowCount, present, partial, kwargs.mostly as number);
      },
    };
  },
};

/** `quoted` compared with a bound: numerically on a numeric column or for a numeric bound, else as is. */
function comparable(quoted: string, type: string, bound: Scalar): string {
  if (typeof bound === "number" && !isNumericType(type)) return `TRY_CAST(${quoted} AS DOUBLE)`;
  return quoted;
}

/** The SQL test of `min ≤ x ≤ max` (strict where asked); null bounds are open. */
export function rangeCondition(quoted: string, type: string, kwargs: Kwargs): string {
  const parts: string[] = [];
  const min = kwargs.min_value as Scalar | null;
  const max = kwargs.max_value as Scalar | null;
  if (min !== null && min !== undefined)
    parts.push(`${comparable(quoted, type, min)} ${kwargs.strict_min ? ">" : ">="} ${literal(min)}`);
  if (max !== null && max !== undefined)
    parts.push(`${comparable(quoted, type, max)} ${kwargs.strict_max ? "<" : "<="} ${literal(max)}`);
  return parts.length > 0 ? parts.join(" AND ") : "TRUE";
}

export const BETWEEN_ARGS = [
  { name: "min_value", kind: "bound", default: null },
  { name: "max_value", kind: "bound", default: null },
  { name: "strict_min", kind: "boolean", default: false },
  { name: "strict_max", kind: "boolean", default: false },
] as const;

export const expectColumnValuesToBeBetween: ExpectationDefinition = {
  args: [...MAP_ARGS, ...BETWEEN_ARGS],
  check: requireABound,
  plan(kwargs, context) {
    const column = findColumn(context, kwargs.column as string);
    return columnMapPlan(column.name, kwargs.mostly as number, (quoted) => rangeCondition(quoted, column.type, kwargs));
  },
};

/** SQL for "the value is in `set`": numerically when both sides are numbers, else as text. */
export function membership(quoted: string, type: string, set: readonly Scalar[]): string {
  if (set.length === 0) return "FALSE";
  if (isNumericType(type) && set.every((value) => typeof value === "number"))
    return `${quoted} IN (${set.map(literal).join(", ")})`;
  return `CAST(${quoted} AS VARCHAR) IN (${set.map((value) => literal(String(value))).join(", ")})`;
}

function setPlan(kwargs: Kwargs, context: PlanContext, inSet: boolean) {
  const column = findColumn(context, kwargs.column as string);
  const set = kwargs.value_set as readonly Scalar[];
  return columnMapPlan(column.name, kwargs.mostly as number, (quoted) => {
    const member = membership(quoted, column.type, set);
    return inSet ? member : `NOT (${member})`;
  });
}

const SET_ARGS = [...MAP_ARGS, { name: "value_set", kind: "set", required: true }] as const;

export const expectColumnValuesToBeInSet: ExpectationDefinition = {
  args: SET_ARGS,
  plan: (kwargs, context) => setPlan(kwargs, context, true),
};

export const expectColumnValuesToNotBeInSet: ExpectationDefinition = {
  args: SET_ARGS,
  plan: (kwargs, context) => setPlan(kwargs, context, false),
};

export const expectColumnValuesToMatchRegex: ExpectationDefinition = {
  args: [...MAP_ARGS, { name: "regex", kind: "string", required: true }],
  plan(kwargs, context) {
    const column = findColumn(context, kwargs.column as string);
    // Found anywhere in the value, as GX's regex expectations do; anchor the pattern to match whole values.
    return columnMapPlan(
      column.name,
      kwargs.mostly as number,
      (quoted) => `regexp_matches(CAST(${quoted} AS VARCHAR), ${literal(kwargs.regex as string)})`,
    );
  },
};

export const expectColumnValueLengthsToBeBetween: ExpectationDefinition = {
  args: [
    ...MAP_ARGS,
    { name: "min_value", kind: "count", default: null },
    { name: "max_value", kind: "count", default: null },
    { name: "strict_min", kind: "boolean", default: false },
    { name: "strict_max", kind: "boolean", default: false },
  ],
  check: requireABound,
  plan(kwargs, context) {
    const column = findColumn(context, kwargs.column as string);
    return columnMapPlan(column.name, kwargs.mostly as number, (quoted) =>
      rangeCondition(`length(CAST(${quoted} AS VARCHAR))`, "BIGINT", kwargs),
    );
  },
};
