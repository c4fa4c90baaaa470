/**
 * descent: neural-network optimizers for Node.js with Rust kernels and a bit-identical
 * pure-JS backend.
 */
export { defaultBackendName, nativeAvailable } from './backend/select.js'
export type { BackendName } from './backend/types.js'
export * from './checkpoint/index.js'
export type { FeatureStats, LabelledData, RegressionData, SplitData } from './data/index.js'
export * as data from './data/index.js'
export { DescentError } from './errors.js'
export { type DescentInfo, info } from './info.js'
export { AveragedModel, type AveragedModelOptions } from './models/averaged-model.js'
export type { FitHistory, FitOptions } from './models/fit.js'
export type { FitAsyncOptions } from './models/fit-async.js'
export { LinearRegression, type LinearRegressionOptions } from './models/linear-regression.js'
export { type LrFindOptions, type LrFindResult, lrFind } from './models/lr-find.js'
export { MLP, type MLPOptions } from './models/mlp.js'
export { type Evaluation, Model, type ModelArchitecture, type ModelOptions } from './models/model.js'
export type { Activation, Output } from './models/network.js'
export { Trainer, type TrainerMetrics, type TrainerOptions, type TrainResult } from './models/trainer.js'
export { Adadelta, type AdadeltaOptions, adadeltaRule } from './optim/adadelta.js'
export { Adafactor, type AdafactorOptions, adafactorRule } from './optim/adafactor.js'
export { AdafactorHF, type AdafactorHFOptions, adafactorHFRule } from './optim/adafactor-hf.js'
export { Adagrad, type AdagradOptions, adagradRule } from './optim/adagrad.js'
export { Adam, type AdamOptions, adamRule } from './optim/adam.js'
export { Adamax, type AdamaxOptions, adamaxRule } from './optim/adamax.js'
export { AdamW, type AdamWOptions } from './optim/adamw.js'
export {
  AdamWScheduleFree,
  type AdamWScheduleFreeOptions,
  adamwScheduleFreeRule,
} from './optim/adamw-schedule-free.js'
export { ASGD, type ASGDOptions, asgdRule } from './optim/asgd.js'
export { type ClipGradNormOptions, clipGradNorm } from './optim/clip-grad-norm.js'
export { type OptimizerClass, optimizerClass } from './optim/define.js'
export { LAMB, type LAMBOptions, Lamb, lambRule } from './optim/lamb.js'
export { LBFGS, type LBFGSClosure, type LBFGSOptions } from './optim/lbfgs.js'
export { Lion, type LionOptions, lionRule } from './optim/lion.js'
export { Muon, type MuonAdjustLr, type MuonOptions, muonRule } from './optim/muon.js'
export { NAdam, type NAdamOptions, nadamRule } from './optim/nadam.js'
export {
  type CommonOptions,
  type OnNonFinite,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamStateDict,
  type StepPlan,
} from './optim/optimizer.js'
export { RAdam, type RAdamOptions, radamRule } from './optim/radam.js'
export {
  OPTIMIZER_ENTRIES,
  OPTIMIZERS,
  type OptimizerConstructor,
  type OptimizerEntry,
  type PathRates,
  RULES,
  type TfjsEquivalent,
} from './optim/registry.js'
export { RMSprop, type RMSpropOptions, rmspropRule } from './optim/rmsprop.js'
export { Rprop, type RpropOptions, rpropRule } from './optim/rprop.js'
export type { Plan, RuleDefinition, ScalarState, StateTensorSpec } from './optim/rule.js'
export { SGD, type SGDOptions } from './optim/sgd.js'
export {
  SGDScheduleFree,
  type SGDScheduleFreeOptions,
  sgdScheduleFreeRule,
} from './optim/sgd-schedule-free.js'
export { type DType, type FloatArray, Parameter } from './parameter.js'
export { Rng } from './random.js'
export * from './schedulers/index.js'
export { checkTensor, type Tensor, type TensorData, tensor } from './tensor.js'
