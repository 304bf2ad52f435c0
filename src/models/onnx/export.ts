/**
 * @module models/onnx/export
 * ONNX export of the built-in models (src/models/train/model.ts) with the ONNX ML operators:
 * TreeEnsembleClassifier/Regressor and LinearClassifier/Regressor (domain `ai.onnx.ml`). Every graph
 * takes `float_input` float32 [N, F]; classifiers return `label` (int64, or string for string classes)
 * and `probabilities` float32 [N, C] (no ZipMap), regressors `variable` float32 [N, K]. The graphs
 * reproduce `predict` from src/models/train/predict.ts, ties included: a two-class forest is written
 * as a TreeEnsembleRegressor followed by ArgMax and Gather (see `twoClassProbabilityGraph`), and a
 * binary logistic model as two softmax scores (0, s).
 */
import { invalidParameter } from "../../core/errors.js";
import { VERSION } from "../../version.js";
import type { ClassLabel, LinearModel, TrainedModel, TreeEnsembleModel } from "../train/model.js";
import {
  type Attribute,
  attr,
  DataType,
  encodeModel,
  type NodeSpec,
  type TensorValue,
  type ValueInfo,
} from "./proto.js";

/** ONNX IR version 8 with opset 15 and ai.onnx.ml 3: readable by onnx ≥ 1.10 and onnxruntime ≥ 1.10. */
const IR_VERSION = 8;
const OPSETS = [
  { domain: "", version: 15 },
  { domain: "ai.onnx.ml", version: 3 },
];
const ML_DOMAIN = "ai.onnx.ml";
export const INPUT_NAME = "float_input";

export interface ExportOptions {
  /** The graph's name; default "lathe_<kind>". */
  readonly graphName?: string;
  /** Stored as the model's doc_string. */
  readonly docString?: string;
}

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/**
 * The largest float32 not above `value`. A tree stored with float32 thresholds must round them down:
 * scikit-learn compares float32 features with float64 thresholds, and for any float32 `x`,
 * `x <= t` exactly when `x <= float32AtMost(t)`.
 */
export function float32AtMost(value: number): number {
  float32[0] = value;
  const nearest = float32[0] as number;
  if (nearest <= value || Number.isNaN(value)) return nearest;
  // Step one float32 toward -Infinity: the bit pattern grows for negatives, shrinks for positives.
  if (nearest === 0) float32Bits[0] = 0x80000001;
  else if (nearest > 0) float32Bits[0] = (float32Bits[0] as number) - 1;
  else float32Bits[0] = (float32Bits[0] as number) + 1;
  return float32[0] as number;
}

function classLabelAttribute(
  classes: readonly ClassLabel[],
  intAttribute: "classlabels_int64s" | "classlabels_ints",
): { attribute: Attribute; elemType: number } {
  if (classes.every((label) => typeof label === "number")) {
    const numbers = classes as number[];
    const fractional = numbers.find((label) => !Number.isSafeInteger(label));
    if (fractional !== undefined) {
      throw invalidParameter(
        `Class label ${fractional} is not a whole number; ONNX classifiers take int64 or string labels. Encode the target column as strings.`,
      );
    }
    return { attribute: attr.ints(intAttribute, numbers), elemType: DataType.INT64 };
  }
  return { attribute: attr.strings("classlabels_strings", classes.map(String)), elemType: DataType.STRING };
}

function classesOf(model: TrainedModel): readonly ClassLabel[] {
  const classes = model.classes;
  if (!classes || classes.length < 2) {
    throw invalidParameter(
      "A classifier needs at least two classes in 'classes'; retrain it on data with two or more labels.",
    );
  }
  return classes;
}

function checkFinite(values: readonly number[], what: string): void {
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0)
    throw invalidParameter(`${what} holds ${values[bad]} at index ${bad}; a model to export needs finite numbers.`);
}

/** Checks a tree's arrays agree with each other and with the model's features and outputs. */
function checkTrees(model: TreeEnsembleModel, outputs: number): void {
  if (model.trees.length === 0) throw invalidParameter("The tree ensemble has no trees; train it before exporting.");
  model.trees.forEach((tree, index) => {
    const size = tree.left.length;
    const arrays = [tree.feature, tree.threshold, tree.right, tree.values];
    if (size === 0 || arrays.some((array) => array.length !== size)) {
      throw invalidParameter(
        `Tree ${index} has arrays of different lengths; feature, threshold, left, right and values need one entry per node.`,
      );
    }
    for (let node = 0; node < size; node++) {
      const left = tree.left[node] as number;
      const right = tree.right[node] as number;
      const leaf = left === -1;
      if (!leaf && (left <= node || left >= size || right <= node || right >= size)) {
        throw invalidParameter(`Tree ${index}, node ${node} points at a child outside the tree (${left}, ${right}).`);
      }
      const feature = tree.feature[node] as number;
      if (!leaf && (feature < 0 || feature >= model.featureNames.length)) {
        throw invalidParameter(
          `Tree ${index}, node ${node} splits on feature ${feature}, but the model has ${model.featureNames.length}.`,
        );
      }
      if (leaf && (tree.values[node] as number[]).length !== outputs) {
        throw invalidParameter(
          `Tree ${index}, leaf ${node} has ${(tree.values[node] as number[]).length} values; expected ${outputs} (one per output).`,
        );
      }
    }
  });
}

/** The attributes describing the nodes of every tree (shared by the classifier and the regressor). */
function nodeAttributes(model: TreeEnsembleModel): Attribute[] {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  model.trees.forEach((tree, treeId) => {
    for (let node = 0; node < tree.left.length; node++) {
      const leaf = tree.left[node] === -1;
      treeIds.push(treeId);
      nodeIds.push(node);
      featureIds.push(leaf ? 0 : (tree.feature[node] as number));
      values.push(leaf ? 0 : float32AtMost(tree.threshold[node] as number));
      modes.push(leaf ? "LEAF" : "BRANCH_LEQ");
      trueIds.push(leaf ? 0 : (tree.left[node] as number));
      falseIds.push(leaf ? 0 : (tree.right[node] as number));
    }
  });
  checkFinite(values, "A split threshold");
  return [
    attr.ints("nodes_treeids", treeIds),
    attr.ints("nodes_nodeids", nodeIds),
    attr.ints("nodes_featureids", featureIds),
    attr.floats("nodes_values", values),
    attr.strings("nodes_modes", modes),
    attr.ints("nodes_truenodeids", trueIds),
    attr.ints("nodes_falsenodeids", falseIds),
  ];
}

/**
 * Leaf weights as parallel (tree, node, output id, weight) lists. `weightsOf` maps a leaf's values
 * (and whether it is in the first tree) to the (output id, weight) pairs to write.
 */
function leafWeights(
  model: TreeEnsembleModel,
  weightsOf: (values: number[], firstTree: boolean) => [number, number][],
) {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const ids: number[] = [];
  const weights: number[] = [];
  model.trees.forEach((tree, treeId) => {
    for (let node = 0; node < tree.left.length; node++) {
      if (tree.left[node] !== -1) continue;
      for (const [id, weight] of weightsOf(tree.values[node] as number[], treeId === 0)) {
        treeIds.push(treeId);
        nodeIds.push(node);
        ids.push(id);
        weights.push(weight);
      }
    }
  });
  checkFinite(weights, "A leaf value");
  return { treeIds, nodeIds, ids, weights };
}

const POST_TRANSFORMS = { none: "NONE", softmax: "SOFTMAX", logistic: "LOGISTIC" } as const;

interface GraphParts {
  nodes: NodeSpec[];
  outputs: ValueInfo[];
  initializers?: TensorValue[];
}

function classifierOutputs(labelType: number, classCount: number): ValueInfo[] {
  return [
    { name: "label", elemType: labelType as ValueInfo["elemType"], shape: ["N"] },
    { name: "probabilities", elemType: DataType.FLOAT, shape: ["N", classCount] },
  ];
}

/**
 * A TreeEnsembleRegressor node summing or averaging the leaves' values per target; `alwaysBase`
 * writes `base_values` even when all zero (the regression graph always has them).
 */
function treeRegressorNode(
  model: TreeEnsembleModel,
  nodes: ReturnType<typeof nodeAttributes>,
  leaves: ReturnType<typeof leafWeights>,
  output: string,
  targets: number,
  alwaysBase: boolean,
): NodeSpec {
  const base = alwaysBase || model.baseValues.some((value) => value !== 0);
  return {
    opType: "TreeEnsembleRegressor",
    domain: ML_DOMAIN,
    name: "TreeEnsembleRegressor",
    inputs: [INPUT_NAME],
    outputs: [output],
    attributes: [
      ...nodes,
      attr.ints("target_treeids", leaves.treeIds),
      attr.ints("target_nodeids", leaves.nodeIds),
      attr.ints("target_ids", leaves.ids),
      attr.floats("target_weights", leaves.weights),
      attr.int("n_targets", targets),
      attr.string("aggregate_function", model.aggregate === "average" ? "AVERAGE" : "SUM"),
      ...(base ? [attr.floats("base_values", model.baseValues)] : []),
      attr.string("post_transform", "NONE"),
    ],
  };
}

function treeEnsembleGraph(model: TreeEnsembleModel): GraphParts {
  const outputs = model.baseValues.length;
  checkTrees(model, outputs);
  checkFinite(model.baseValues, "baseValues");
  const nodes = nodeAttributes(model);
  if (model.task === "regression") {
    const leaves = leafWeights(model, (values) => values.map((value, id): [number, number] => [id, value]));
    return {
      nodes: [treeRegressorNode(model, nodes, leaves, "variable", outputs, true)],
      outputs: [{ name: "variable", elemType: DataType.FLOAT, shape: ["N", outputs] }],
    };
  }
  const classes = classesOf(model);
  const logistic = model.postTransform === "logistic";
  if (logistic ? outputs !== 1 || classes.length !== 2 : outputs !== classes.length) {
    throw invalidParameter(
      logistic
        ? "A logistic tree ensemble needs exactly one output and two classes."
        : `The ensemble has ${outputs} outputs but ${classes.length} classes; they must match.`,
    );
  }
  if (classes.length === 2 && model.postTransform === "none") return twoClassProbabilityGraph(model, nodes, classes);
  // The classifier always sums; an average is a sum of weights divided by the number of trees.
  const scale = model.aggregate === "average" ? 1 / model.trees.length : 1;
  const base = model.baseValues;
  let leaves: ReturnType<typeof leafWeights>;
  let extra: Attribute[];
  if (logistic) {
    // onnxruntime labels a two-class ensemble by the sign of class 1's score. A logistic score s is
    // written as scores (0, s) under softmax, softmax(0, s) = (1 - σ(s), σ(s)), with the baseline
    // folded into the first tree's leaves (every row reaches exactly one of them).
    leaves = leafWeights(model, (values, first) => [
      [0, 0],
      [1, (values[0] as number) * scale + (first ? (base[0] as number) : 0)],
    ]);
    extra = [attr.string("post_transform", "SOFTMAX")];
  } else {
    leaves = leafWeights(model, (values) => values.map((value, id): [number, number] => [id, value * scale]));
    extra = [
      ...(base.some((value) => value !== 0) ? [attr.floats("base_values", base)] : []),
      attr.string("post_transform", POST_TRANSFORMS[model.postTransform]),
    ];
  }
  const labels = classLabelAttribute(classes, "classlabels_int64s");
  return {
    nodes: [
      {
        opType: "TreeEnsembleClassifier",
        domain: ML_DOMAIN,
        name: "TreeEnsembleClassifier",
        inputs: [INPUT_NAME],
        outputs: ["label", "probabilities"],
        attributes: [
          ...nodes,
          attr.ints("class_treeids", leaves.treeIds),
          attr.ints("class_nodeids", leaves.nodeIds),
          attr.ints("class_ids", leaves.ids),
          attr.floats("class_weights", leaves.weights),
          labels.attribute,
          ...extra,
        ],
      },
    ],
    outputs: classifierOutputs(labels.elemType, classes.length),
  };
}

/**
 * Two-class probability ensembles (forests). onnxruntime's two-class TreeEnsembleClassifier labels
 * class 1 when the summed, pre-divided float32 weights exceed 0.5, so a row whose trees split evenly
 * can come out either way. Instead the probabilities come from a TreeEnsembleRegressor that sums the
 * leaf vectors and divides once (exact at a tie for pure leaves), and the label is ArgMax over them
 * (the first class wins a tie, as numpy's argmax does) mapped through the class labels by Gather.
 */
function twoClassProbabilityGraph(
  model: TreeEnsembleModel,
  nodes: Attribute[],
  classes: readonly ClassLabel[],
): GraphParts {
  const leaves = leafWeights(model, (values) => values.map((value, id): [number, number] => [id, value]));
  const labels = classLabelAttribute(classes, "classlabels_int64s");
  const numeric = labels.elemType === DataType.INT64;
  const classTensor: TensorValue = numeric
    ? { name: "class_labels", dataType: DataType.INT64, dims: [classes.length], int64Data: classes as number[] }
    : { name: "class_labels", dataType: DataType.STRING, dims: [classes.length], stringData: classes.map(String) };
  return {
    nodes: [
      treeRegressorNode(model, nodes, leaves, "probabilities", classes.length, false),
      {
        opType: "ArgMax",
        name: "ArgMax",
        inputs: ["probabilities"],
        outputs: ["label_index"],
        attributes: [attr.int("axis", 1), attr.int("keepdims", 0)],
      },
      {
        opType: "Gather",
        name: "Gather",
        inputs: ["class_labels", "label_index"],
        outputs: ["label"],
        attributes: [attr.int("axis", 0)],
      },
    ],
    outputs: classifierOutputs(labels.elemType, classes.length),
    initializers: [classTensor],
  };
}

function linearGraph(model: LinearModel): GraphParts {
  const features = model.featureNames.length;
  const outputs = model.intercepts.length;
  if (outputs === 0 || model.coefficients.length !== outputs) {
    throw invalidParameter(
      `The linear model has ${model.coefficients.length} coefficient rows for ${outputs} intercepts; they must match.`,
    );
  }
  model.coefficients.forEach((row, index) => {
    if (row.length !== features) {
      throw invalidParameter(`Coefficient row ${index} has ${row.length} values for ${features} features.`);
    }
  });
  const flat = model.coefficients.flat();
  checkFinite(flat, "coefficients");
  checkFinite(model.intercepts, "intercepts");
  if (model.task === "regression") {
    return {
      nodes: [
        {
          opType: "LinearRegressor",
          domain: ML_DOMAIN,
          name: "LinearRegressor",
          inputs: [INPUT_NAME],
          outputs: ["variable"],
          attributes: [
            attr.floats("coefficients", flat),
            attr.floats("intercepts", model.intercepts),
            attr.int("targets", outputs),
            attr.string("post_transform", "NONE"),
          ],
        },
      ],
      outputs: [{ name: "variable", elemType: DataType.FLOAT, shape: ["N", outputs] }],
    };
  }
  const classes = classesOf(model);
  const binary = model.postTransform === "logistic";
  if (binary && (outputs !== 1 || classes.length !== 2)) {
    throw invalidParameter("A logistic linear classifier needs exactly one coefficient row and two classes.");
  }
  if (!binary && outputs !== classes.length) {
    throw invalidParameter(`The linear model has ${outputs} outputs but ${classes.length} classes; they must match.`);
  }
  const coefficients = binary ? [...new Array<number>(features).fill(0), ...flat] : flat;
  const intercepts = binary ? [0, model.intercepts[0] as number] : model.intercepts;
  const labels = classLabelAttribute(classes, "classlabels_ints");
  return {
    nodes: [
      {
        opType: "LinearClassifier",
        domain: ML_DOMAIN,
        name: "LinearClassifier",
        inputs: [INPUT_NAME],
        outputs: ["label", "probabilities"],
        attributes: [
          attr.floats("coefficients", coefficients),
          attr.floats("intercepts", intercepts),
          labels.attribute,
          attr.int("multi_class", 0),
          attr.string("post_transform", binary ? "SOFTMAX" : POST_TRANSFORMS[model.postTransform]),
        ],
      },
    ],
    outputs: classifierOutputs(labels.elemType, classes.length),
  };
}

/**
 * Serializes a trained model as an ONNX model (bytes of a ModelProto).
 *
 * @example
 * const bytes = exportToOnnx(model);
 * const session = await OnnxModel.load(bytes);
 * @throws LatheError INVALID_PARAMETER_VALUE when the model is inconsistent (sizes, classes, non-finite values)
 */
export function exportToOnnx(model: TrainedModel, options: ExportOptions = {}): Uint8Array {
  if (model.featureNames.length === 0)
    throw invalidParameter("The model has no features; train it on at least one column.");
  if (model.task === "regression" && model.postTransform !== "none") {
    throw invalidParameter(`A regressor's postTransform must be 'none'; got '${model.postTransform}'.`);
  }
  const parts = model.kind === "linear" ? linearGraph(model) : treeEnsembleGraph(model);
  return encodeModel({
    irVersion: IR_VERSION,
    opsets: OPSETS,
    producerName: "lathe",
    producerVersion: VERSION,
    ...(options.docString !== undefined ? { docString: options.docString } : {}),
    graph: {
      name: options.graphName ?? `lathe_${model.kind}`,
      nodes: parts.nodes,
      inputs: [{ name: INPUT_NAME, elemType: DataType.FLOAT, shape: ["N", model.featureNames.length] }],
      outputs: parts.outputs,
      ...(parts.initializers ? { initializers: parts.initializers } : {}),
    },
  });
}
