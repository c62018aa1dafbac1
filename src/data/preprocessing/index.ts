/**
 * Cleaning and preprocessing with scikit-learn's names and semantics in camelCase: fit on training
 * data, apply to any data, save with the model (`stateDict()` / `toJSON()`, `fromJSON()`).
 */
export { Transformer, type TableTransformer } from "./base.js";
export type { Cell, NumericInput, TableInput } from "./table.js";
export { fromState as transformerFromJSON, type TransformerState } from "./persist.js";
export { missingReport, dropMissing, type MissingReport, type MissingColumn, type DropMissingOptions, type DropMissingReport, type DropMissingResult } from "./missing.js";
export { SimpleImputer, type SimpleImputerOptions, type ImputeStrategy } from "./imputer.js";
export { OutlierDetector, type OutlierDetectorOptions, type OutlierReport, type OutlierColumnReport, type OutlierResult } from "./outliers.js";
export { StandardScaler, type StandardScalerOptions } from "./standard-scaler.js";
export { MinMaxScaler, type MinMaxScalerOptions } from "./minmax-scaler.js";
export { RobustScaler, type RobustScalerOptions } from "./robust-scaler.js";
export { OneHotEncoder, type OneHotEncoderOptions } from "./one-hot-encoder.js";
export { OrdinalEncoder, type OrdinalEncoderOptions } from "./ordinal-encoder.js";
export { LabelEncoder } from "./label-encoder.js";
export { ColumnTransformer, type ColumnPart, type ColumnTransformerOptions } from "./column-transformer.js";
export { Pipeline, type PipelineStep } from "./pipeline.js";
