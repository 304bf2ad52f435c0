import { describe, expect, it } from "vitest";
import { frozenAnswer, serializeAnswer, wireDouble } from "./wire.js";

describe("serializeAnswer", () => {
  it("serializes an unmarked answer afresh each time, so later changes show", () => {
    const answer: Record<string, unknown> = { runs: [{ a: 1 }] };
    expect(serializeAnswer(answer)).toBe('{"runs":[{"a":1}]}');
    answer.next_page_token = "t";
    expect(serializeAnswer(answer)).toBe('{"runs":[{"a":1}],"next_page_token":"t"}');
  });

  it("serializes a frozen answer once and sends that text again", () => {
    const answer = frozenAnswer({ runs: [{ value: wireDouble(Number.NaN) }] });
    const first = serializeAnswer(answer);
    expect(first).toBe('{"runs":[{"value":"NaN"}]}');
    expect(serializeAnswer(answer)).toBe(first);
    // A copy (what the auth hook makes when it filters a search) is its own answer.
    expect(serializeAnswer({ ...answer, runs: [] })).toBe('{"runs":[]}');
  });

  it("passes strings and null through JSON as before", () => {
    expect(serializeAnswer(null)).toBe("null");
    expect(serializeAnswer("x")).toBe('"x"');
  });
});
