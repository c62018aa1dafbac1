/** Dataset readers: CSV, JSON Lines and line files, image and text folders, NPY. (IDX lives in ../idx.ts.) */
export { readCsv, parseCsv, parseNumber, DEFAULT_MISSING, type CsvOptions } from "./csv.js";
export { Table, type ColumnType, type ColumnData, type SkippedRow } from "./table.js";
export { ImageFolder, readImage, imageToTensor, IMAGE_EXTENSIONS, type ImageFolderOptions, type ImageBytes } from "./image-folder.js";
export { TextFolder, readTextFolder, TextLinesDataset, readLines, JsonLinesDataset, readJsonLines, type TextFolderOptions, type TextCorpus, type LineOptions } from "./text.js";
export { readNpy, readNpySync, parseNpy, npyToTensor, encodeNpy, writeNpy, type NpyArray, type NpyDType, type NpyInput } from "./npy.js";
export { scanClassFolders, type LabelledFile, type ClassFolders } from "./folder.js";
