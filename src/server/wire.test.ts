import { describe, expect, it } from "vitest";
import { answerOfFrozenItems, frozenAnswer, serializeAnswer, wireDouble } from "./wire.js";

describe("serializeAnswer", () => {
  it("serializes an unmarked answer afresh each time, so later changes show", () => {
    const answer: Record<string, unknown> = { runs: [{ a: 1 }] };
    expect(serializeAnswer(answer)).toBe('{"runs":[{"a":1}]}');
    answer.next_page_token = "t";
    expect(serializeAnswer(answer)).toBe('{"runs":[{"a":1}],"next_page_token":"t"}');
  });

  it("serializes a frozen answer once and sends those bytes again", () => {
    const answer = frozenAnswer({ runs: [{ value: wireDouble(Number.NaN), name: "é" }] });
    const first = serializeAnswer(answer);
    expect(first).toBeInstanceOf(Buffer);
    expect(first.toString()).toBe('{"runs":[{"value":"NaN","name":"é"}]}');
    expect(serializeAnswer(answer)).toBe(first);
    // A copy (what the auth hook makes when it filters a search) is its own answer.
    expect(serializeAnswer({ ...answer, runs: [] })).toBe('{"runs":[]}');
  });

  it("joins the saved bytes of frozen items into JSON equal to serializing the whole", () => {
    const item = frozenAnswer({
      info: { run_id: "r", name: "ünïcode ☃" },
      data: { metrics: [{ value: wireDouble(Number.POSITIVE_INFINITY) }] },
    });
    const plain = { key: "p", value: "1" };
    const page = { runs: [item, plain, item], next_page_token: "t", skipped: undefined, count: 2, nested: { a: [1] } };
    const bytes = serializeAnswer(answerOfFrozenItems({ ...page }));
    expect(bytes.toString()).toBe(JSON.stringify(page));
    // Each joining makes new bytes (the page is not frozen), from the item's bytes made once.
    expect(serializeAnswer(answerOfFrozenItems({ ...page }))).not.toBe(bytes);
    expect(serializeAnswer(answerOfFrozenItems({ runs: [item] })).toString()).toBe(
      `{"runs":[${serializeAnswer(item).toString()}]}`,
    );
    expect(serializeAnswer(answerOfFrozenItems({ runs: [] })).toString()).toBe('{"runs":[]}');
    expect(serializeAnswer(answerOfFrozenItems({})).toString()).toBe("{}");
    // A frozen page of frozen items: joined once, then the same bytes every time.
    const frozenPage = frozenAnswer(answerOfFrozenItems({ runs: [item] }));
    expect(serializeAnswer(frozenPage)).toBe(serializeAnswer(frozenPage));
  });

  it("passes strings and null through JSON as before", () => {
    expect(serializeAnswer(null)).toBe("null");
    expect(serializeAnswer("x")).toBe('"x"');
  });
});
