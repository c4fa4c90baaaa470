import { Adam, NAdam, type Optimizer, Parameter } from 'descent-optim'
import type { Row } from '../report/chart.js'
import { lineChart } from '../report/charts/line-chart.js'
import { type TutorialUpdate, tutorialAdam, tutorialNAdam } from '../tutorial/optimizers.js'
import type { SectionResult, TourSection } from './section.js'

const STEPS = 10
const START = 2

/** x after each of STEPS steps on f(x) = x² (gradient 2x) from x = 2. */
function descentTrajectory(create: (p: Parameter) => Optimizer<{ lr: number }>): number[] {
  const x = new Parameter(Float64Array.of(START))
  const optimizer = create(x)
  const path = [START]
  for (let k = 0; k < STEPS; k++) {
    x.grad[0] = 2 * (x.data[0] as number)
    optimizer.step()
    path.push(x.data[0] as number)
  }
  return path
}

function tutorialTrajectory(update: TutorialUpdate): number[] {
  const path = [START]
  let x = [START]
  for (let k = 0; k < STEPS; k++) {
    x = update(x, [2 * (x[0] as number)])
    path.push(x[0] as number)
  }
  return path
}

/** Section 3: the tutorial's Adam vs NAdam on x², with its NAdam beside descent's. */
export const adamVsNadamSection: TourSection = {
  title: '3. Adam vs NAdam on f(x) = x² from x = 2 (10 steps, lr 1e-3)',
  run(): SectionResult {
    const series: [string, number[]][] = [
      ['Adam (descent)', descentTrajectory((p) => new Adam([p], { lr: 1e-3 }))],
      ['Adam (tutorial)', tutorialTrajectory(tutorialAdam())],
      ['NAdam (descent, PyTorch’s)', descentTrajectory((p) => new NAdam([p], { lr: 1e-3 }))],
      ['NAdam (tutorial, double bias correction)', tutorialTrajectory(tutorialNAdam())],
    ]
    const data: Row[] = series.flatMap(([name, path]) =>
      path.map((x, step) => ({ optimizer: name, step, x })),
    )
    const nadam = series[2]?.[1] ?? []
    const theirs = series[3]?.[1] ?? []
    const firstStep = (path: number[]) => START - (path[1] as number)
    return {
      tables: [
        {
          id: 'adam-vs-nadam',
          title: 'x after each step',
          columns: ['step', ...series.map(([name]) => name)],
          rows: Array.from({ length: STEPS + 1 }, (_, k) => [
            k,
            ...series.map(([, path]) => path[k] as number),
          ]),
          note: 'Both start at 2; with lr 1e-3 each Adam step moves x by about 1e-3.',
        },
      ],
      charts: [
        lineChart({
          id: 'adam-vs-nadam',
          title: 'Adam vs NAdam on x²: descent’s NAdam and the tutorial’s',
          caption:
            'The tutorial’s NAdam divides the bias-corrected moment by (1 − β₁ᵗ) again, so its first step is about ten ' +
            'times too long. PyTorch’s NAdam (descent) starts with a momentum of about β₁/2 that warms up to β₁ ' +
            '(its μ schedule), so its first steps are a little shorter than Adam’s.',
          data,
          x: { field: 'step', title: 'step', integer: true },
          y: { field: 'x', title: 'x' },
          color: { field: 'optimizer', title: 'implementation' },
          height: 240,
        }),
      ],
      summary: [
        `Adam vs NAdam on x²: the tutorial’s NAdam takes a first step of ${firstStep(theirs).toPrecision(3)} ` +
          `where PyTorch’s (descent’s) takes ${firstStep(nadam).toPrecision(3)} — its double bias correction (§13.3).`,
      ],
    }
  },
}
