import type { JsKernel, Round } from '../backend/types.js'
import { typeError } from '../errors.js'
import type { Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative, checkPositive } from '../validate.js'
import { optimizerClass } from './define.js'
import { flip, PRELUDE_SCALARS, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/rprop.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'etaMinus', 'etaPlus', 'stepMin', 'stepMax'] as const
const S = scalarIndex(SCALARS)

/** Rprop hyperparameters (torch.optim.Rprop); all can differ per param group. */
export interface RpropOptions {
  /** The initial step size of every element (default 1e-2); later lrs (a scheduler's) are not used, as in torch. */
  lr: number
  /** `[etaMinus, etaPlus]`: how a step size shrinks on a sign flip and grows otherwise, 0 < η− < 1 < η+ (default [0.5, 1.2]). */
  etas: readonly [number, number]
  /** `[min, max]` step size, 0 ≤ min ≤ max (default [1e-6, 50]). */
  stepSizes: readonly [number, number]
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

function checkPair(
  where: string,
  what: string,
  value: unknown,
  names: string,
): asserts value is readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw typeError(where, what, `an array [${names}]`, value)
}

// torch's `sign`, `clamp` and masks, element by element: NaN stays NaN through all three.
const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x)
const clamp = (x: number, low: number, high: number) => (x < low ? low : x > high ? high : x)

/** Mirror of crates/core/src/rules/rprop.rs. */
const rpropKernel: JsKernel = (p, g, [prev, stepSize], s, _shape, r: Round) => {
  const last = prev as typeof p
  const size = stepSize as typeof p
  const prelude = readPrelude(s, r)
  const etaMinus = r(s[S.etaMinus] as number)
  const etaPlus = r(s[S.etaPlus] as number)
  const low = r(s[S.stepMin] as number)
  const high = r(s[S.stepMax] as number)
  for (let i = 0; i < p.length; i++) {
    const gi = flip(prelude, g[i] as number)
    const product = r(gi * (last[i] as number))
    const factor = product > 0 ? etaPlus : product < 0 ? etaMinus : product === 0 ? 1 : product
    const si = clamp(r((size[i] as number) * factor), low, high)
    size[i] = si
    // A flip (a negative product; the options keep eta− apart from eta+ and 1) zeroes the gradient.
    const kept = product < 0 ? 0 : gi
    p[i] = r((p[i] as number) - r(sign(kept) * si))
    last[i] = kept
  }
}

/**
 * Rprop (Riedmiller & Braun 1993) with PyTorch's numerics (`_single_tensor_rprop`):
 * ```
 * g ← maximize ? −g : g
 * f = η+ if g·prev > 0, η− if g·prev < 0, else 1
 * size ← clamp(size·f, min, max)            (size starts at lr)
 * g ← 0 where f = η−;  θ ← θ − sign(g)·size;  prev ← g
 * ```
 * Full-batch learning: with mini-batches its sign logic sees noise, as torch warns.
 */
export const rpropRule: RuleDefinition<RpropOptions> = {
  rule: 'rprop',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkPair(where, 'etas', o.etas, 'etaMinus, etaPlus')
    checkPositive(where, 'etas[0]', o.etas[0])
    if (!(o.etas[0] < 1 && o.etas[1] > 1))
      throw new RangeError(
        `${where}: etas must satisfy 0 < etaMinus < 1 < etaPlus, got [${o.etas.join(', ')}]`,
      )
    checkPair(where, 'stepSizes', o.stepSizes, 'min, max')
    checkNonNegative(where, 'stepSizes[0]', o.stepSizes[0])
    checkNonNegative(where, 'stepSizes[1]', o.stepSizes[1])
    if (!(o.stepSizes[0] <= o.stepSizes[1]))
      throw new RangeError(
        `${where}: stepSizes must be [min, max] with min <= max, got [${o.stepSizes.join(', ')}]`,
      )
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(o, p: Parameter) {
    return [
      { name: 'prev', length: p.size, fill: 0 },
      { name: 'stepSize', length: p.size, fill: o.lr },
    ]
  },
  plan(o, state) {
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: 0,
        etaMinus: o.etas[0],
        etaPlus: o.etas[1],
        stepMin: o.stepSizes[0],
        stepMax: o.stepSizes[1],
      }),
      next: { step: state.step + 1 },
    }
  },
  kernel: rpropKernel,
}

/** Rprop: per-element step sizes adapted by the gradient's sign. See `rpropRule`. */
export class Rprop extends optimizerClass('rprop', rpropRule) {}
