/**
 * @module validation/validate
 * Runs a suite over a file and returns GX's validation result. All aggregates of all expectations
 * go into one SELECT, so the data is scanned once for them; follow-up queries run only where an
 * expectation needs rows (partial unexpected lists, repeated values, order). An expectation whose
 * column is missing, or whose SQL fails, is reported with `exception_info` instead of stopping the
 * run, as GX does with `catch_exceptions`.
 */
import { VERSION } from "../version.js";
import { type DataSession, firstLine, openData } from "./engine.js";
import { DataMismatch, type Outcome, type Plan } from "./plan.js";
import { type CompiledExpectation, compileSuite } from "./suite.js";
import type { ExpectationResult, ExpectationSuite, ValidationResult } from "./types.js";

type Planned = { plan: Plan; offset: number } | { error: string };

function exceptionResult(compiled: CompiledExpectation, message: string): ExpectationResult {
  return {
    success: false,
    expectation_config: compiled.config,
    result: {},
    meta: {},
    exception_info: { raised_exception: true, exception_message: message, exception_traceback: null },
  };
}

function message(error: unknown): string {
  return error instanceof DataMismatch ? error.message : firstLine(error);
}

/** Runs the shared scan; on a SQL error, runs each plan alone to find the one at fault. */
async function scan(session: DataSession, planned: Planned[]): Promise<{ rowCount: number; values: unknown[] }> {
  const expressions = planned.flatMap((entry) => ("plan" in entry ? entry.plan.aggregates : []));
  try {
    const [row] = await session.rows(`SELECT ${["count(*)", ...expressions].join(", ")} FROM ${session.source}`);
    return { rowCount: row![0] as number, values: row!.slice(1) };
  } catch {
    const [count] = await session.rows(`SELECT count(*) FROM ${session.source}`);
    const values: unknown[] = [];
    for (const [index, entry] of planned.entries()) {
      if (!("plan" in entry)) continue;
      if (entry.plan.aggregates.length === 0) continue;
      try {
        const [row] = await session.rows(`SELECT ${entry.plan.aggregates.join(", ")} FROM ${session.source}`);
        values.push(...row!);
      } catch (error) {
        planned[index] = { error: firstLine(error) };
        values.push(...entry.plan.aggregates.map(() => null));
      }
    }
    return { rowCount: count![0] as number, values };
  }
}

/** Validates the file at `path` against `suite`. */
export async function validateData(path: string, suite: ExpectationSuite): Promise<ValidationResult> {
  const compiled = compileSuite(suite);
  const session = await openData(path);
  try {
    const context = { source: session.source, columns: session.columns };
    let offset = 0;
    const planned: Planned[] = compiled.map((entry) => {
      try {
        const plan = entry.definition.plan(entry.kwargs, context);
        const placed = { plan, offset };
        offset += plan.aggregates.length;
        return placed;
      } catch (error) {
        return { error: message(error) };
      }
    });
    const { rowCount, values } = await scan(session, planned);
    const results: ExpectationResult[] = [];
    for (const [index, entry] of planned.entries()) {
      const expectation = compiled[index]!;
      if ("error" in entry) {
        results.push(exceptionResult(expectation, entry.error));
        continue;
      }
      let outcome: Outcome;
      try {
        outcome = await entry.plan.finish({
          values: values.slice(entry.offset, entry.offset + entry.plan.aggregates.length),
          rowCount,
          source: session.source,
          rows: session.rows,
          stream: session.stream,
        });
      } catch (error) {
        results.push(exceptionResult(expectation, message(error)));
        continue;
      }
      results.push({
        success: outcome.success,
        expectation_config: expectation.config,
        result: outcome.result,
        meta: {},
        exception_info: { raised_exception: false, exception_message: null, exception_traceback: null },
      });
    }
    const successful = results.filter((result) => result.success).length;
    return {
      success: successful === results.length,
      suite_name: suite.name,
      statistics: {
        evaluated_expectations: results.length,
        successful_expectations: successful,
        unsuccessful_expectations: results.length - successful,
        success_percent: results.length === 0 ? null : (successful / results.length) * 100,
      },
      results,
      suite_parameters: {},
      meta: { lathe_version: VERSION, batch_spec: { path }, validation_time: new Date().toISOString() },
    };
  } finally {
    session.close();
  }
}

/** JSON text of a result; an infinite KL divergence is written as the string "Infinity". */
export function resultToJson(result: ValidationResult): string {
  return JSON.stringify(
    result,
    (_key, value) => (typeof value === "number" && !Number.isFinite(value) ? String(value) : value),
    2,
  );
}
