import {
  Adafactor,
  Adagrad,
  Adam,
  NAdam,
  type Optimizer,
  type OptimizerClass,
  Parameter,
  RMSprop,
  Rng,
  SGD,
} from 'descent-optim'
import { formatSettings, type Table } from '../report/table.js'
import {
  type TutorialUpdate,
  tutorialAdaFactor,
  tutorialAdaGrad,
  tutorialAdam,
  tutorialGradientDescent,
  tutorialMomentum,
  tutorialNAdam,
  tutorialRMSprop,
} from '../tutorial/optimizers.js'
import { formatVector, type SectionResult, type TourSection } from './section.js'

/** One of the tutorial's examples: start, gradient, steps, and both implementations. */
interface Example {
  name: string
  settings: string
  params: number[]
  grads: number[]
  shape: number[]
  steps: number
  descent: (p: Parameter) => Optimizer<{ lr: number }>
  tutorial: () => TutorialUpdate
  note: string
}

/** Root mean square of a − b. */
function rmsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2
  return Math.sqrt(sum / a.length)
}

/** descent's side of an example: the optimizer class and options, which also label the row. */
function descentSide<O extends { lr: number }>(
  Optimizer: OptimizerClass<O>,
  options: Partial<O>,
): Pick<Example, 'settings' | 'descent'> {
  return {
    settings: `${Optimizer.name} ${formatSettings(options)}`,
    descent: (p) => new Optimizer([p], options),
  }
}

/** The tutorial's most common example: θ = [1, 2], g = [0.1, 0.2], three steps. */
const vector = { params: [1, 2], grads: [0.1, 0.2], shape: [2], steps: 3 }

function examples(seed: number): Example[] {
  const rng = new Rng(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform())
  const matrix = Array.from({ length: 12 }, normal)
  const matrixGrad = Array.from({ length: 12 }, normal)
  const adafactor = (scale: number): Example => ({
    name: `Adafactor, gradient x ${scale}`,
    ...descentSide(Adafactor, { lr: 0.01 }),
    params: matrix,
    grads: matrixGrad.map((g) => g * scale),
    shape: [4, 3],
    steps: 1,
    tutorial: () => tutorialAdaFactor(4, 3),
    note: 'shown: RMS of the update. The tutorial omits the 1/mean(R) normalisation, so its update grows as gradients shrink (§13.4)',
  })
  return [
    {
      name: 'Gradient descent',
      ...descentSide(SGD, { lr: 0.1 }),
      ...vector,
      steps: 1,
      tutorial: () => tutorialGradientDescent(0.1),
      note: 'p - lr g',
    },
    {
      name: 'SGD',
      ...descentSide(SGD, { lr: 0.01 }),
      ...vector,
      steps: 1,
      tutorial: () => tutorialGradientDescent(0.01),
      note: "the tutorial's SGD class has no update method (§13.2); its step() is this",
    },
    {
      name: 'Momentum',
      ...descentSide(SGD, { lr: 0.01, momentum: 0.9 }),
      ...vector,
      params: [1, -1],
      grads: [0.1, -0.1],
      tutorial: () => tutorialMomentum(0.01, 0.9),
      note: "PyTorch's v = mu v + g, p -= lr v equals the tutorial's v = mu v - lr g, p += v for a fixed lr",
    },
    {
      name: 'AdaGrad',
      ...descentSide(Adagrad, { lr: 0.01, eps: 1e-8 }),
      ...vector,
      tutorial: () => tutorialAdaGrad(0.01, 1e-8),
      note: 'same formula',
    },
    {
      name: 'RMSprop',
      ...descentSide(RMSprop, { lr: 0.01, alpha: 0.9, eps: 1e-8 }),
      ...vector,
      params: [0.5, -0.5],
      grads: [0.2, -0.1],
      tutorial: () => tutorialRMSprop(0.01, 0.9, 1e-8),
      note: "same formula (the tutorial's decay_rate is PyTorch's alpha)",
    },
    {
      name: 'Adam',
      ...descentSide(Adam, { lr: 1e-3 }),
      ...vector,
      tutorial: () => tutorialAdam(),
      note: 'same formula',
    },
    {
      name: 'NAdam',
      ...descentSide(NAdam, { lr: 1e-3 }),
      ...vector,
      tutorial: () => tutorialNAdam(),
      note: 'the tutorial divides by (1 - beta1^t) twice: its first step is about 10x too long (§13.3)',
    },
    adafactor(1),
    adafactor(1e-3),
  ]
}

/** Runs one example on both implementations (float64, so the digits compare). */
function run(example: Example): { descent: Float64Array; tutorial: number[] } {
  const p = new Parameter(Float64Array.from(example.params), example.shape)
  const optimizer = example.descent(p)
  const tutorial = example.tutorial()
  let theirs = [...example.params]
  for (let k = 0; k < example.steps; k++) {
    p.grad.set(example.grads)
    optimizer.step()
    theirs = tutorial(theirs, example.grads)
  }
  return { descent: p.data as Float64Array, tutorial: theirs }
}

/** Section 1: the tutorial's small examples, one optimizer each, descent beside the tutorial's code. */
export const oneUpdateSection: TourSection = {
  title: '1. One update of each optimizer (the tutorial’s examples)',
  run(settings): SectionResult {
    const rows = examples(settings.seed).map((example) => {
      const { descent, tutorial } = run(example)
      const isMatrix = example.shape.length > 1
      const show = (values: ArrayLike<number>) =>
        isMatrix ? `update RMS ${rmsDifference(values, example.params).toPrecision(3)}` : formatVector(values)
      const agree =
        rmsDifference(descent, tutorial) <= 1e-12 * (1 + Math.max(...example.params.map(Math.abs)))
      const start = isMatrix ? `random 4x3 (seed ${settings.seed})` : formatVector(example.params)
      const grads = isMatrix ? 'random 4x3' : formatVector(example.grads)
      return [
        example.name,
        example.settings,
        start,
        grads,
        example.steps,
        show(descent),
        show(tutorial),
        agree ? 'yes' : 'no',
        example.note,
      ]
    })
    const table: Table = {
      id: 'one-update',
      title: 'One update of each optimizer: descent vs the tutorial’s code',
      columns: ['optimizer', 'settings', 'params', 'grads', 'steps', 'descent', 'tutorial', 'agree', 'note'],
      rows,
    }
    const disagree = [...new Set(rows.filter((r) => r[7] === 'no').map((r) => String(r[0]).split(',')[0]))]
    return {
      tables: [table],
      charts: [],
      summary: [
        `One update of each optimizer on the tutorial’s examples: descent reproduces the tutorial wherever its formula is right; ` +
          `they differ only for ${disagree.join(' and ')}, where the tutorial is wrong (ALGORITHMS.md §13).`,
      ],
    }
  },
}
