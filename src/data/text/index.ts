/**
 * Text: tokenizers (character, word, trainable byte-pair), a vocabulary with special tokens,
 * padding to tensors with lengths and masks, and EDA augmentation with WordNet synonyms.
 */
export { normalizeText, type NormalizationForm } from "./normalize.js";
export type { Tokenizer } from "./tokenizer.js";
export { CharTokenizer, type CharTokenizerOptions } from "./char-tokenizer.js";
export { WordTokenizer, type WordTokenizerOptions } from "./word-tokenizer.js";
export {
  BPETokenizer, type BPETokenizerOptions, type BPETrainOptions, type BPEEncodeOptions, type BPETokenizerJSON,
} from "./bpe.js";
export { learnMerges, type BpeMerges, type LearnMergesOptions } from "./bpe-train.js";
export { Vocab, DEFAULT_SPECIALS, type VocabOptions, type VocabBuildOptions, type VocabJSON } from "./vocab.js";
export { padSequences, type PadOptions, type PaddedBatch } from "./pad.js";
export { WordNet, WORDNET_POS, type WordNetPos, type Synset, type WordNetLookupOptions } from "./wordnet.js";
export { EDA_STOP_WORDS } from "./stopwords.js";
export {
  synonymReplacement, randomInsertion, randomSwap, randomDeletion, wordnetSynonyms,
  type SynonymSource, type SynonymOptions, type AugmentRandomness,
} from "./eda-ops.js";
export { EDA, type EDAOptions } from "./eda.js";
