import { describe, expect, it } from "vitest";
import { decodeDouble } from "./decode.js";
import { decodeJson, encodeJson, errorCodeFromWire, RestClient } from "./rest.js";

describe("encodeJson / decodeJson", () => {
  it("writes non-finite numbers as proto-JSON strings", () => {
    expect(encodeJson({ a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], c: 1.5 })).toBe(
      '{"a":"NaN","b":["Infinity","-Infinity"],"c":1.5}',
    );
  });

  it("reads bare NaN/Infinity tokens (Python's json module) but leaves strings alone", () => {
    expect(decodeJson('{"v": NaN, "w": -Infinity, "s": "NaN and Infinity"}')).toEqual({
      v: "NaN",
      w: "-Infinity",
      s: "NaN and Infinity",
    });
    expect(() => decodeJson("{not json")).toThrow();
  });

  it("decodes doubles from numbers and proto-JSON strings", () => {
    expect(decodeDouble("NaN")).toBeNaN();
    expect(decodeDouble("Infinity")).toBe(Number.POSITIVE_INFINITY);
    expect(decodeDouble("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(decodeDouble("0.25")).toBe(0.25);
    expect(decodeDouble(3)).toBe(3);
    expect(() => decodeDouble("x")).toThrow(/malformed/);
  });
});

describe("errorCodeFromWire", () => {
  it("keeps codes Lathe has, and tells them apart by status where the wire name is shared", () => {
    expect(errorCodeFromWire("RESOURCE_ALREADY_EXISTS", 400)).toBe("RESOURCE_ALREADY_EXISTS");
    expect(errorCodeFromWire("INVALID_PARAMETER_VALUE", 400)).toBe("INVALID_PARAMETER_VALUE");
    expect(errorCodeFromWire("BAD_REQUEST", 413)).toBe("PAYLOAD_TOO_LARGE");
    expect(errorCodeFromWire("BAD_REQUEST", 400)).toBe("BAD_REQUEST");
    expect(errorCodeFromWire("INVALID_STATE", 500)).toBe("INVALID_STATE");
  });

  it("maps MLflow names Lathe lacks to the nearest code, and falls back on the status", () => {
    expect(errorCodeFromWire("NOT_FOUND", 404)).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(errorCodeFromWire("ALREADY_EXISTS", 409)).toBe("RESOURCE_ALREADY_EXISTS");
    expect(errorCodeFromWire("CUSTOMER_UNAUTHORIZED", 401)).toBe("UNAUTHENTICATED");
    expect(errorCodeFromWire("SOMETHING_NEW", 418)).toBe("BAD_REQUEST");
    expect(errorCodeFromWire(undefined, 404)).toBe("ENDPOINT_NOT_FOUND");
    expect(errorCodeFromWire(undefined, 502)).toBe("INTERNAL_ERROR");
    expect(errorCodeFromWire(undefined, 503)).toBe("TEMPORARILY_UNAVAILABLE");
  });
});

describe("RestClient", () => {
  it("builds URLs with repeated keys and no empty fields, and moves URL credentials out of the URL", () => {
    const rest = new RestClient({ trackingUri: "http://ann:p%40ss@example.com:5000/prefix/", env: {} });
    expect(rest.baseUrl).toBe("http://example.com:5000/prefix");
    expect(rest.url("/api/x", { a: ["1", 2], b: undefined, c: null, d: true })).toBe(
      "http://example.com:5000/prefix/api/x?a=1&a=2&d=true",
    );
  });

  it("reads timeout and retry settings from MLflow's environment variables and refuses nonsense", () => {
    expect(() => new RestClient({ env: { MLFLOW_HTTP_REQUEST_TIMEOUT: "soon" } })).toThrow(
      /MLFLOW_HTTP_REQUEST_TIMEOUT must be a non-negative number/,
    );
    expect(() => new RestClient({ env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: "3" } })).not.toThrow();
  });
});
