/** Saving and loading: safetensors files and training checkpoints. */
export {
  serialize, deserialize, deserializeWithMetadata,
  save, saveSync, load, loadSync, loadWithMetadata, loadWithMetadataSync,
  type StateDict, type Metadata, type SaveOptions, type LoadOptions, type SafetensorsContents,
} from "./safetensors.js";
export {
  saveCheckpoint, saveCheckpointSync, loadCheckpoint, loadCheckpointSync, decodeCheckpoint,
  type Checkpoint, type LoadCheckpointOptions, type RngState,
} from "./checkpoint.js";
