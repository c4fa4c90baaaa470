/**
 * Checkpoints: a model's parameters, an optimizer's state and a scheduler's position in one
 * safetensors file, written atomically and restored exactly (docs/checkpoints.md).
 */
export { CheckpointError, type CheckpointErrorCode } from './checkpoint-error.js'
export type { FromCheckpointOptions } from './from-checkpoint.js'
export { type CheckpointInfo, loadCheckpoint } from './load.js'
export { type SaveCheckpointOptions, saveCheckpoint } from './save.js'
export type { CheckpointModel, CheckpointParts } from './target.js'
