/**
 * @module tracking/search/test-helpers
 * Helpers shared by the parser's test files.
 */
import { expect } from "vitest";
import { LatheError } from "../../core/errors.js";
import type { Comparison, SearchEntity } from "./ast.js";
import { parseFilter } from "./index.js";

/** The LatheError a bad filter raises (fails the test if it raises nothing or something else). */
export function filterError(filter: string, entity: SearchEntity = "runs"): LatheError {
  try {
    parseFilter(filter, entity);
  } catch (error) {
    if (error instanceof LatheError) {
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

/** The single comparison a filter parses to. */
export function one(filter: string, entity: SearchEntity = "runs"): Comparison {
  const parsed = parseFilter(filter, entity);
  expect(parsed).toHaveLength(1);
  return parsed[0]!;
}
