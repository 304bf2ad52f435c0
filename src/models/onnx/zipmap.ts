/**
 * @module models/onnx/zipmap
 * skl2onnx ends most classifiers with a ZipMap node, whose output (a sequence of maps from class to
 * probability) onnxruntime-node cannot return. This rewrites a model so the ZipMap's input tensor is
 * a graph output too, and reports the class labels ZipMap would have used, so probabilities can be
 * read as a plain [N, C] tensor. Nothing else in the model changes. The same scan reads the class
 * labels of the model's classifier operator (LinearClassifier, TreeEnsembleClassifier, SVMClassifier),
 * which onnxruntime does not report.
 */
import { DataType, encodeValueInfo } from "./proto.js";
import { type ProtoField, readFields } from "./protobuf.js";

/** A ZipMap found in a model: its output, the tensor it zips, and its class labels. */
export interface ZipMapInfo {
  readonly output: string;
  readonly probabilities: string;
  readonly classes: (string | number)[];
}

const decoder = new TextDecoder();

function text(field: ProtoField): string {
  return decoder.decode(field.bytes);
}

/** Values of a repeated int64 field, packed or not. */
function int64s(fields: readonly ProtoField[], number: number): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.field !== number) continue;
    if (field.varint !== undefined) values.push(Number(BigInt.asIntN(64, field.varint)));
    else if (field.bytes) {
      // A packed run: varints back to back.
      let offset = 0;
      const bytes = field.bytes;
      while (offset < bytes.length) {
        let value = 0n;
        let shift = 0n;
        let byte: number;
        do {
          byte = bytes[offset++] as number;
          value |= BigInt(byte & 0x7f) << shift;
          shift += 7n;
        } while (byte >= 0x80 && offset < bytes.length);
        values.push(Number(BigInt.asIntN(64, value)));
      }
    }
  }
  return values;
}

const CLASSIFIERS = new Set(["LinearClassifier", "TreeEnsembleClassifier", "SVMClassifier"]);
const LABEL_ATTRIBUTES = new Set(["classlabels_strings", "classlabels_int64s", "classlabels_ints"]);

/** The class labels a node carries (ZipMap and the ML classifiers), or undefined. */
function classLabelsOf(node: readonly ProtoField[]): (string | number)[] | undefined {
  for (const attribute of node.filter((field) => field.field === 5)) {
    const parts = readFields(attribute.bytes as Uint8Array);
    const name = parts.find((field) => field.field === 1);
    if (!name || !LABEL_ATTRIBUTES.has(text(name))) continue;
    // AttributeProto: strings = 9, ints = 8.
    return text(name) === "classlabels_strings"
      ? parts.filter((field) => field.field === 9).map(text)
      : int64s(parts, 8);
  }
  return undefined;
}

function opTypeOf(node: readonly ProtoField[]): string {
  const opType = node.find((field) => field.field === 4);
  return opType ? text(opType) : "";
}

function zipMapOf(node: readonly ProtoField[]): ZipMapInfo | undefined {
  if (opTypeOf(node) !== "ZipMap") return undefined;
  const input = node.find((field) => field.field === 1);
  const output = node.find((field) => field.field === 2);
  if (!input || !output) return undefined;
  return { output: text(output), probabilities: text(input), classes: classLabelsOf(node) ?? [] };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head: number[] = [field * 8 + 2];
  let length = payload.length;
  while (length > 0x7f) {
    head.push((length & 0x7f) | 0x80);
    length = Math.floor(length / 128);
  }
  head.push(length);
  return concat([Uint8Array.from(head), payload]);
}

/** What a scan of a model found, and the model to load (rewritten only when a ZipMap needed it). */
export interface ScannedModel {
  readonly model: Uint8Array;
  readonly zipMaps: ZipMapInfo[];
  /** The class labels of the one classifier operator in the graph, when there is exactly one. */
  readonly classLabels?: (string | number)[];
}

/**
 * Exposes the inputs of ZipMap nodes that produce graph outputs, and reads the classifier's class
 * labels. Returns the model unchanged (and nothing found) when the bytes cannot be read.
 */
export function exposeZipMapInputs(model: Uint8Array): ScannedModel {
  let fields: ProtoField[];
  try {
    fields = readFields(model);
    const graphField = fields.find((field) => field.field === 7 && field.bytes);
    if (!graphField) return { model, zipMaps: [] };
    const graph = readFields(graphField.bytes as Uint8Array);
    const outputNames = new Set(
      graph
        .filter((field) => field.field === 12)
        .map((field) => readFields(field.bytes as Uint8Array).find((part) => part.field === 1))
        .flatMap((name) => (name ? [text(name)] : [])),
    );
    const nodes = graph.filter((field) => field.field === 1).map((field) => readFields(field.bytes as Uint8Array));
    const zipMaps = nodes
      .map(zipMapOf)
      .filter((info): info is ZipMapInfo => info !== undefined && outputNames.has(info.output));
    const classifiers = nodes.filter((node) => CLASSIFIERS.has(opTypeOf(node)));
    const labels = classifiers.length === 1 ? classLabelsOf(classifiers[0] as ProtoField[]) : undefined;
    const found = labels ? { zipMaps, classLabels: labels } : { zipMaps };
    const added = zipMaps.filter((info) => !outputNames.has(info.probabilities));
    if (added.length === 0) return { model, ...found };
    const extraOutputs = added.map((info) =>
      lengthDelimited(
        12,
        encodeValueInfo({ name: info.probabilities, elemType: DataType.FLOAT, shape: [null, info.classes.length] }),
      ),
    );
    const newGraph = lengthDelimited(7, concat([graphField.bytes as Uint8Array, ...extraOutputs]));
    const parts = fields.map((field) => (field === graphField ? newGraph : model.subarray(field.start, field.end)));
    return { model: concat(parts), ...found };
  } catch {
    return { model, zipMaps: [] };
  }
}
