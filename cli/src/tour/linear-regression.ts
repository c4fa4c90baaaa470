import { Adam, data as datasets, LinearRegression, type Optimizer, type Parameter, SGD } from 'descent-optim'
import type { Row } from '../report/chart.js'
import { lineChart } from '../report/charts/line-chart.js'
import type { Table } from '../report/table.js'
import type { SectionResult, TourSection } from './section.js'

interface Contender {
  name: string
  settings: string
  create: (params: Parameter[]) => Optimizer<{ lr: number }>
}

/** The tutorial's three, with its learning rate 0.01. */
const TUTORIAL: Contender[] = [
  { name: 'SGD', settings: 'lr 0.01', create: (p) => new SGD(p, { lr: 0.01 }) },
  {
    name: 'Momentum',
    settings: 'lr 0.01, momentum 0.9',
    create: (p) => new SGD(p, { lr: 0.01, momentum: 0.9 }),
  },
  { name: 'Adam', settings: 'lr 0.01', create: (p) => new Adam(p, { lr: 0.01 }) },
]

/** The same three given enough steps: Adam's steps are about lr long, so it needs lr 0.1 to travel to b ≈ 4. */
const CONVERGED: Contender[] = [
  TUTORIAL[0] as Contender,
  TUTORIAL[1] as Contender,
  { name: 'Adam', settings: 'lr 0.1', create: (p) => new Adam(p, { lr: 0.1 }) },
]

/** The exact least-squares line through (x, y), for reference. */
function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>): { w: number; b: number } {
  const n = x.length
  let sx = 0
  let sy = 0
  for (let i = 0; i < n; i++) {
    sx += x[i] as number
    sy += y[i] as number
  }
  const mx = sx / n
  const my = sy / n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my)
    sxx += ((x[i] as number) - mx) ** 2
  }
  const w = sxy / sxx
  return { w, b: my - w * mx }
}

/** Section 2: the tutorial's linear-regression comparison, run as written and run to convergence. */
export const linearRegressionSection: TourSection = {
  title: '2. Linear regression y = 4 + 3x + noise with SGD, Momentum and Adam',
  run(settings): SectionResult {
    const set = datasets.regression({ samples: 100, seed: settings.seed })
    const exact = leastSquares(set.x.data, set.y.data)
    const train = (contender: Contender, epochs: number) => {
      const model = new LinearRegression({ features: 1, seed: settings.seed })
      // Full batch and no shuffling: the tutorial's fit() takes one gradient step on all 100 rows per epoch.
      const history = model.fit(set.x, set.y, {
        optimizer: contender.create(model.parameters()),
        epochs,
        batchSize: 100,
        shuffle: false,
      })
      const [weight, bias] = model.parameters()
      return { loss: history.loss, w: weight?.data[0] as number, b: bias?.data[0] as number }
    }
    const longEpochs = settings.quick ? 300 : 1000
    const asWritten = TUTORIAL.map((c) => ({ c, epochs: 100, ...train(c, 100) }))
    const converged = CONVERGED.map((c) => ({ c, epochs: longEpochs, ...train(c, longEpochs) }))
    const row = (label: string) => (r: (typeof asWritten)[number]) => [
      label,
      r.c.name,
      r.c.settings,
      r.epochs,
      r.loss[r.loss.length - 1] as number,
      r.w,
      r.b,
    ]
    const table: Table = {
      id: 'linear-regression',
      title: 'Linear regression: final MSE and weights',
      columns: ['run', 'optimizer', 'settings', 'epochs', 'final MSE', 'w', 'b'],
      rows: [
        ...asWritten.map(row('as in the tutorial')),
        ...converged.map(row('to convergence')),
        ['least squares (exact)', '-', '-', null, null, exact.w, exact.b],
      ],
      note: `100 rows, full-batch steps. The noise moves the best line from (3, 4) to (${exact.w.toFixed(3)}, ${exact.b.toFixed(3)}).`,
    }
    const data: Row[] = converged.flatMap((r) =>
      r.loss.map((loss, i) => ({ optimizer: `${r.c.name} (${r.c.settings})`, epoch: i + 1, mse: loss })),
    )
    const chart = lineChart({
      id: 'convergence',
      title:
        'Convergence comparison of different optimizers (the tutorial’s figure): linear regression, log-log',
      caption:
        'Mean squared error per epoch. Momentum gets there first; SGD follows; Adam’s steps are about lr long whatever ' +
        'the gradient, so it needs lr 0.1 to cover the distance to b ≈ 4 in time.',
      data,
      x: { field: 'epoch', title: 'epoch (log scale)', log: true },
      y: { field: 'mse', title: 'mean squared error', log: true },
      color: { field: 'optimizer', title: 'optimizer' },
    })
    const near = (r: (typeof asWritten)[number]) =>
      Math.abs(r.w - exact.w) < 0.1 && Math.abs(r.b - exact.b) < 0.1
    const names = (runs: typeof asWritten) => runs.map((r) => r.c.name).join(', ') || 'none'
    return {
      tables: [table],
      charts: [chart],
      summary: [
        `Linear regression y = 4 + 3x + noise: with the tutorial’s 100 epochs at lr 0.01 only ${names(asWritten.filter(near))} ` +
          `reached the least-squares line (w=${exact.w.toFixed(2)}, b=${exact.b.toFixed(2)}, i.e. ≈ 3 and 4 plus this ` +
          `sample’s noise); given ${longEpochs} epochs (Adam at lr 0.1) ${names(converged.filter(near))} did.`,
      ],
    }
  },
}
