/**
 * Unit tests of how a request's user is named from its Authorization header.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ANONYMOUS_USER, knownUser, requestUser } from "./user.js";

const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;

describe("requestUser", () => {
  it("takes the username of Basic credentials", () => {
    expect(requestUser(basic("alice:secret"))).toBe("alice");
    expect(requestUser(basic("bob:pa:ss"))).toBe("bob");
    expect(requestUser(`basic ${Buffer.from("carol").toString("base64")}`)).toBe("carol");
  });

  it("names a Bearer token by a short hash, never the token", () => {
    const expected = `token:${createHash("sha256").update("s3cr3t-token").digest("hex").slice(0, 8)}`;
    expect(requestUser("Bearer s3cr3t-token")).toBe(expected);
    expect(expected).not.toContain("s3cr3t");
  });

  it("is anonymous without usable credentials", () => {
    for (const header of [undefined, "", "Basic", "Digest abc", basic(":nopass"), basic("a\u0000b:x"), "Bearer"]) {
      expect(requestUser(header)).toBe(ANONYMOUS_USER);
    }
  });

  it("records no user_id for anonymous requests", () => {
    expect(knownUser(ANONYMOUS_USER)).toBeUndefined();
    expect(knownUser("alice")).toBe("alice");
  });
});
