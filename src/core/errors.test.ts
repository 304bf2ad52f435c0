import { describe, expect, it } from "vitest";
import { ERROR_CODES, LatheError } from "./errors.js";

describe("LatheError", () => {
  it("maps a code to MLflow's wire name and status", () => {
    const error = new LatheError("RESOURCE_ALREADY_EXISTS", "Experiment 'x' already exists.");
    expect(error.info.status).toBe(400);
    expect(error.toJSON()).toEqual({
      error_code: "RESOURCE_ALREADY_EXISTS",
      message: "Experiment 'x' already exists.",
    });
  });

  it("keeps MLflow's status quirks", () => {
    expect(ERROR_CODES.RESOURCE_DOES_NOT_EXIST.status).toBe(404);
    expect(ERROR_CODES.INVALID_STATE.status).toBe(500);
    for (const info of Object.values(ERROR_CODES)) expect(info.exitCode).toBeGreaterThan(0);
  });
});
