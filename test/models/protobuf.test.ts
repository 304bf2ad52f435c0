import { describe, expect, it } from "vitest";
import { ProtoWriter, readFields } from "../../src/models/onnx/protobuf.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("protobuf wire format", () => {
  it("encodes varints, including 64-bit negatives", () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe("089601");
    expect(hex(new ProtoWriter().varint(2, 300).finish())).toBe("10ac02");
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe("08ffffffffffffffffff01");
    expect(hex(new ProtoWriter().varint(1, 2n ** 40n).finish())).toBe("08808080808020");
    expect(hex(new ProtoWriter().varint(1, 2 ** 40).finish())).toBe("08808080808020");
    expect(hex(new ProtoWriter().bool(3, true).finish())).toBe("1801");
  });

  it("encodes fixed-size numbers little-endian", () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe("150000803f");
    expect(hex(new ProtoWriter().double(1, 1).finish())).toBe("09000000000000f03f");
  });

  it("encodes strings, nested messages and packed repeated fields", () => {
    expect(hex(new ProtoWriter().string(2, "testing").finish())).toBe("120774657374696e67");
    expect(hex(new ProtoWriter().message(3, (inner) => inner.varint(1, 150)).finish())).toBe("1a03089601");
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe("2206038e029ea705");
    expect(hex(new ProtoWriter().packedFloats(5, [1, 2]).finish())).toBe("2a080000803f00000040");
    expect(hex(new ProtoWriter().packedDoubles(6, [1]).finish())).toBe("3208000000000000f03f");
    expect(new ProtoWriter().packedFloats(5, []).finish().length).toBe(0);
  });

  it("grows past its first buffer and reads back what it wrote", () => {
    const long = "x".repeat(1000);
    const bytes = new ProtoWriter().string(1, long).varint(2, -5).float(3, 0.5).double(4, 2).finish();
    const fields = readFields(bytes);
    expect(fields.map((field) => [field.field, field.wireType])).toEqual([
      [1, 2],
      [2, 0],
      [3, 5],
      [4, 1],
    ]);
    expect(new TextDecoder().decode(fields[0]?.bytes)).toBe(long);
    expect(BigInt.asIntN(64, fields[1]?.varint as bigint)).toBe(-5n);
    expect(() => readFields(Uint8Array.from([0x12, 0x05, 0x01]))).toThrow(RangeError);
  });
});
