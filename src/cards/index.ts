/**
 * @module cards
 * Model and dataset cards in Hugging Face's format, from the registry, the tracked runs and the data.
 */
export { DATASET_CARD_TEMPLATE, type DatasetCardOptions, datasetCard } from "./dataset-card.js";
export { fillTemplate, MODEL_CARD_TEMPLATE, type ModelCardOptions, modelCard } from "./model-card.js";
