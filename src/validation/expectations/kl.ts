/**
 * @module validation/expectations/kl
 * `expect_column_kl_divergence_to_be_less_than`: the observed partition of the column's non-null
 * values against the expected `partition_object`, KL(expected ‖ observed) = Σ e·ln(e/o) as scipy's
 * `entropy(pk=expected, qk=observed)` computes it (both normalised). Continuous partitions count
 * values per bin the way numpy's histogram does ([a, b), the last bin closed), plus the two tails
 * outside the bins; categorical ones count each listed value and the rest as one remainder. An
 * expected weight with no observed value makes the divergence infinite.
 */
import { DataMismatch, type ExpectationDefinition, findColumn } from "../plan.js";
import { isNumericType, literal, quoteIdentifier } from "../sql.js";
import type { PartitionObject } from "../types.js";
import { membership } from "./column-map.js";

/** KL(expected ‖ observed) over aligned weights. */
export function klDivergence(expected: readonly number[], observed: readonly number[]): number {
  const expectedTotal = expected.reduce((sum, w) => sum + w, 0);
  const observedTotal = observed.reduce((sum, w) => sum + w, 0);
  let divergence = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]! / expectedTotal;
    if (e === 0) continue;
    const o = observed[i]! / observedTotal;
    if (o === 0) return Number.POSITIVE_INFINITY;
    divergence += e * Math.log(e / o);
  }
  return divergence;
}

export const expectColumnKlDivergenceToBeLessThan: ExpectationDefinition = {
  args: [
    { name: "column", kind: "column", required: true },
    { name: "partition_object", kind: "partition", required: true },
    { name: "threshold", kind: "number", required: true },
    { name: "bucketize_data", kind: "boolean", default: true },
  ],
  plan(kwargs, context) {
    const column = findColumn(context, kwargs.column as string);
    const quoted = quoteIdentifier(column.name);
    const partition = kwargs.partition_object as PartitionObject;
    const aggregates = [`count(${quoted})`];
    let expected: number[];
    if (partition.bins) {
      if (!isNumericType(column.type))
        throw new DataMismatch(`column '${column.name}' is ${column.type}; a partition with bins needs numbers`);
      const bins = partition.bins;
      const [below, above] = partition.tail_weights ?? [0, 0];
      expected = [below, ...partition.weights, above];
      aggregates.push(`count(*) FILTER (WHERE ${quoted} < ${literal(bins[0]!)})`);
      for (let i = 0; i + 1 < bins.length; i++) {
        const upper = i + 2 === bins.length ? "<=" : "<";
        aggregates.push(
          `count(*) FILTER (WHERE ${quoted} >= ${literal(bins[i]!)} AND ${quoted} ${upper} ${literal(bins[i + 1]!)})`,
        );
      }
      aggregates.push(`count(*) FILTER (WHERE ${quoted} > ${literal(bins.at(-1)!)})`);
    } else {
      const values = partition.values ?? [];
      expected = [...partition.weights, 0];
      for (const value of values)
        aggregates.push(`count(*) FILTER (WHERE ${membership(quoted, column.type, [value])})`);
    }
    return {
      aggregates,
      finish({ values }) {
        const nonNull = values[0] as number;
        const counts = values.slice(1) as number[];
        if (!partition.bins) counts.push(nonNull - counts.reduce((sum, count) => sum + count, 0));
        const observedPartition = partition.bins
          ? { bins: partition.bins, weights: counts.slice(1, -1).map((c) => (nonNull ? c / nonNull : 0)) }
          : { values: partition.values, weights: counts.slice(0, -1).map((c) => (nonNull ? c / nonNull : 0)) };
        const details = { observed_partition: observedPartition, expected_partition: partition };
        if (nonNull === 0) return { success: false, result: { observed_value: null, details } };
        const divergence = klDivergence(expected, counts);
        return {
          success: divergence < (kwargs.threshold as number),
          result: { observed_value: divergence, details },
        };
      },
    };
  },
};
