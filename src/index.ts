/**
 * descent: neural-network optimizers for Node.js with Rust kernels and a bit-identical
 * pure-JS backend.
 */
export { defaultBackendName, nativeAvailable } from './backend/select.js'
export type { BackendName } from './backend/types.js'
export { DescentError } from './errors.js'
export { Adam, type AdamOptions, adamRule } from './optim/adam.js'
export { AdamW, type AdamWOptions } from './optim/adamw.js'
export { type ClipGradNormOptions, clipGradNorm } from './optim/clip-grad-norm.js'
export {
  type CommonOptions,
  type OnNonFinite,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamStateDict,
} from './optim/optimizer.js'
export { OPTIMIZERS, RULES } from './optim/registry.js'
export type { Plan, RuleDefinition, ScalarState, StateTensorSpec } from './optim/rule.js'
export { SGD, type SGDOptions } from './optim/sgd.js'
export { type DType, type FloatArray, Parameter } from './parameter.js'
