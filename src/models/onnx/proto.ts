/**
 * @module models/onnx/proto
 * The ONNX messages export needs, as plain objects, and their encoding with the field numbers of
 * `onnx.proto` (ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto,
 * TypeProto.Tensor, TensorShapeProto, TensorProto).
 */
import { ProtoWriter } from "./protobuf.js";

/** `TensorProto.DataType` values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  DOUBLE: 11,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** `AttributeProto.AttributeType` values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export type Attribute =
  | { readonly name: string; readonly type: "FLOAT"; readonly value: number }
  | { readonly name: string; readonly type: "INT"; readonly value: number | bigint }
  | { readonly name: string; readonly type: "STRING"; readonly value: string }
  | { readonly name: string; readonly type: "FLOATS"; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: "INTS"; readonly value: ArrayLike<number | bigint> }
  | { readonly name: string; readonly type: "STRINGS"; readonly value: readonly string[] }
  | { readonly name: string; readonly type: "TENSOR"; readonly value: TensorValue };

/** Shorthands for attributes. */
export const attr = {
  float: (name: string, value: number): Attribute => ({ name, type: "FLOAT", value }),
  int: (name: string, value: number | bigint): Attribute => ({ name, type: "INT", value }),
  string: (name: string, value: string): Attribute => ({ name, type: "STRING", value }),
  floats: (name: string, value: ArrayLike<number>): Attribute => ({ name, type: "FLOATS", value }),
  ints: (name: string, value: ArrayLike<number | bigint>): Attribute => ({ name, type: "INTS", value }),
  strings: (name: string, value: readonly string[]): Attribute => ({ name, type: "STRINGS", value }),
  tensor: (name: string, value: TensorValue): Attribute => ({ name, type: "TENSOR", value }),
};

/** A constant tensor (an initializer or a TENSOR attribute). */
export interface TensorValue {
  readonly name?: string;
  readonly dataType: DataTypeCode;
  readonly dims: readonly number[];
  /** FLOAT values. */
  readonly floatData?: ArrayLike<number>;
  /** INT64 values. */
  readonly int64Data?: ArrayLike<number | bigint>;
  /** INT32, BOOL and UINT8 values. */
  readonly int32Data?: ArrayLike<number>;
  readonly doubleData?: ArrayLike<number>;
  readonly stringData?: readonly string[];
}

/**
 * A graph input or output: a tensor (a string or null dimension is free), or, with `mapKeyType`, a
 * sequence of maps from that key type to `elemType` values (what ZipMap returns).
 */
export interface ValueInfo {
  readonly name: string;
  readonly elemType: DataTypeCode;
  readonly shape: readonly (number | string | null)[];
  readonly mapKeyType?: DataTypeCode;
}

export interface NodeSpec {
  readonly opType: string;
  /** "" for the default domain, "ai.onnx.ml" for the ML operators. */
  readonly domain?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attributes?: readonly Attribute[];
}

export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers?: readonly TensorValue[];
}

export interface ModelSpec {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: GraphSpec;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

const utf8 = new TextEncoder();

function writeTensor(writer: ProtoWriter, tensor: TensorValue): void {
  writer.packedVarints(1, tensor.dims); // dims
  writer.varint(2, tensor.dataType); // data_type
  if (tensor.floatData) writer.packedFloats(4, tensor.floatData); // float_data
  if (tensor.int32Data) writer.packedVarints(5, tensor.int32Data); // int32_data
  for (const value of tensor.stringData ?? []) writer.bytes(6, utf8.encode(value)); // string_data
  if (tensor.int64Data) writer.packedVarints(7, tensor.int64Data); // int64_data
  if (tensor.name !== undefined) writer.string(8, tensor.name); // name
  if (tensor.doubleData) writer.packedDoubles(10, tensor.doubleData); // double_data
}

function writeAttribute(writer: ProtoWriter, attribute: Attribute): void {
  writer.string(1, attribute.name);
  switch (attribute.type) {
    case "FLOAT":
      writer.float(2, attribute.value);
      break;
    case "INT":
      writer.varint(3, attribute.value);
      break;
    case "STRING":
      writer.bytes(4, utf8.encode(attribute.value));
      break;
    case "TENSOR":
      writer.message(5, (nested) => writeTensor(nested, attribute.value));
      break;
    case "FLOATS":
      writer.packedFloats(7, attribute.value);
      break;
    case "INTS":
      writer.packedVarints(8, attribute.value);
      break;
    case "STRINGS":
      for (const value of attribute.value) writer.bytes(9, utf8.encode(value));
      break;
  }
  writer.varint(20, AttributeType[attribute.type]); // type
}

function writeTensorType(type: ProtoWriter, elemType: DataTypeCode, dims: ValueInfo["shape"] | undefined): void {
  // TypeProto.tensor_type = 1 → { elem_type = 1, shape = 2 }
  type.message(1, (tensor) => {
    tensor.varint(1, elemType);
    if (dims === undefined) return;
    tensor.message(2, (shape) => {
      for (const dim of dims) {
        // TensorShapeProto.dim = 1 → { dim_value = 1 | dim_param = 2 }
        shape.message(1, (dimension) => {
          if (typeof dim === "number") dimension.varint(1, dim);
          else if (typeof dim === "string") dimension.string(2, dim);
        });
      }
    });
  });
}

function writeValueInfo(writer: ProtoWriter, info: ValueInfo): void {
  writer.string(1, info.name);
  const keyType = info.mapKeyType;
  writer.message(2, (type) => {
    if (keyType === undefined) return writeTensorType(type, info.elemType, info.shape);
    // TypeProto.sequence_type = 4 → { elem_type = 1 } → TypeProto.map_type = 5 → { key_type = 1, value_type = 2 }
    type.message(4, (sequence) =>
      sequence.message(1, (element) =>
        element.message(5, (map) => {
          map.varint(1, keyType);
          map.message(2, (value) => writeTensorType(value, info.elemType, undefined));
        }),
      ),
    );
  });
}

function writeNode(writer: ProtoWriter, node: NodeSpec): void {
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  if (node.name !== undefined) writer.string(3, node.name);
  writer.string(4, node.opType);
  for (const attribute of node.attributes ?? []) writer.message(5, (nested) => writeAttribute(nested, attribute));
  if (node.domain !== undefined && node.domain !== "") writer.string(7, node.domain);
}

function writeGraph(writer: ProtoWriter, graph: GraphSpec): void {
  for (const node of graph.nodes) writer.message(1, (nested) => writeNode(nested, node));
  writer.string(2, graph.name);
  for (const tensor of graph.initializers ?? []) writer.message(5, (nested) => writeTensor(nested, tensor));
  for (const input of graph.inputs) writer.message(11, (nested) => writeValueInfo(nested, input));
  for (const output of graph.outputs) writer.message(12, (nested) => writeValueInfo(nested, output));
}

/** Encodes one ValueInfoProto on its own. */
export function encodeValueInfo(info: ValueInfo): Uint8Array {
  const writer = new ProtoWriter();
  writeValueInfo(writer, info);
  return writer.finish();
}

/** Encodes a ModelProto. */
export function encodeModel(model: ModelSpec): Uint8Array {
  const writer = new ProtoWriter();
  writer.varint(1, model.irVersion); // ir_version
  writer.string(2, model.producerName); // producer_name
  writer.string(3, model.producerVersion); // producer_version
  if (model.docString !== undefined) writer.string(6, model.docString); // doc_string
  writer.message(7, (graph) => writeGraph(graph, model.graph)); // graph
  for (const opset of model.opsets) {
    // opset_import = 8 → OperatorSetIdProto { domain = 1, version = 2 }
    writer.message(8, (nested) => nested.string(1, opset.domain).varint(2, opset.version));
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    // metadata_props = 14 → StringStringEntryProto { key = 1, value = 2 }
    writer.message(14, (nested) => nested.string(1, key).string(2, value));
  }
  return writer.finish();
}
