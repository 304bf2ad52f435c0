/**
 * @module models/onnx/protobuf
 * A minimal protocol-buffers wire-format encoder: varints (int32, int64, enums, bools), fixed32 floats,
 * fixed64 doubles, length-delimited bytes, strings and nested messages, and packed repeated numbers.
 * It writes what ONNX export needs and nothing more; fields are written in the order they are added.
 */

/** Wire types from the protobuf encoding spec. */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const encoder = new TextEncoder();

/** Appends fields to a growing buffer; `finish()` returns the encoded message. */
export class ProtoWriter {
  #buffer = new Uint8Array(256);
  #length = 0;

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  #byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  /** A raw varint; negative numbers are written as their 64-bit two's complement (10 bytes). */
  #rawVarint(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
      let rest = value;
      while (rest > 0x7f) {
        this.#byte((rest & 0x7f) | 0x80);
        rest = Math.floor(rest / 128);
      }
      this.#byte(rest);
      return;
    }
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new RangeError(`A varint must be a whole number within 2^53; got ${value}.`);
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest > 0x7fn) {
      this.#byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.#byte(Number(rest));
  }

  #tag(field: number, wireType: number): void {
    this.#rawVarint(field * 8 + wireType);
  }

  #bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** int32, int64, uint64 and enum fields. */
  varint(field: number, value: number | bigint): this {
    this.#tag(field, WIRE_VARINT);
    this.#rawVarint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.varint(field, value ? 1 : 0);
  }

  float(field: number, value: number): this {
    this.#tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#bytes(bytes);
    return this;
  }

  double(field: number, value: number): this {
    this.#tag(field, WIRE_FIXED64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.#bytes(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#rawVarint(value.length);
    this.#bytes(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A nested message, built by `build` on a fresh writer. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    build(nested);
    return this.bytes(field, nested.finish());
  }

  /** Packed repeated float (fixed32); nothing is written for an empty list. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index] as number, true);
    return this.bytes(field, bytes);
  }

  /** Packed repeated double (fixed64). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < values.length; index++) view.setFloat64(index * 8, values[index] as number, true);
    return this.bytes(field, bytes);
  }

  /** Packed repeated varints (int32, int64, enums). */
  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    if (values.length === 0) return this;
    const nested = new ProtoWriter();
    for (let index = 0; index < values.length; index++) nested.#rawVarint(values[index] as number | bigint);
    return this.bytes(field, nested.finish());
  }

  /** The encoded bytes written so far. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/** One field of an encoded message: its number, wire type, and where its bytes are. */
export interface ProtoField {
  readonly field: number;
  readonly wireType: number;
  /** The value of a varint field. */
  readonly varint?: bigint;
  /** The payload of a length-delimited field. */
  readonly bytes?: Uint8Array;
  /** The whole field (tag included) within the message, to copy it unchanged. */
  readonly start: number;
  readonly end: number;
}

function readVarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let position = offset;
  for (;;) {
    if (position >= bytes.length || shift > 63n) throw new RangeError("Truncated or oversized varint.");
    const byte = bytes[position++] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return { value, next: position };
    shift += 7n;
  }
}

/**
 * Splits an encoded message into its top-level fields (nested messages stay as bytes).
 *
 * @throws RangeError when the bytes are not a well-formed message
 */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const tag = readVarint(bytes, offset);
    const field = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    offset = tag.next;
    if (wireType === WIRE_VARINT) {
      const value = readVarint(bytes, offset);
      offset = value.next;
      fields.push({ field, wireType, varint: value.value, start, end: offset });
    } else if (wireType === WIRE_LENGTH_DELIMITED) {
      const length = readVarint(bytes, offset);
      const end = length.next + Number(length.value);
      if (end > bytes.length) throw new RangeError("A length-delimited field runs past the end of the message.");
      fields.push({ field, wireType, bytes: bytes.subarray(length.next, end), start, end });
      offset = end;
    } else if (wireType === WIRE_FIXED32 || wireType === WIRE_FIXED64) {
      offset += wireType === WIRE_FIXED32 ? 4 : 8;
      if (offset > bytes.length) throw new RangeError("A fixed-size field runs past the end of the message.");
      fields.push({ field, wireType, start, end: offset });
    } else {
      throw new RangeError(`Unsupported wire type ${wireType} for field ${field}.`);
    }
  }
  return fields;
}
