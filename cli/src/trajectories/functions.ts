/** A 2-D test function for optimizer paths, with what its picture needs. */
export interface TestFunction {
  /** Identifier used in flags and chart ids. */
  id: string
  /** Name and formula, for titles. */
  title: string
  f: (x: number, y: number) => number
  /** The analytic gradient (∂f/∂x, ∂f/∂y). */
  gradient: (x: number, y: number) => [number, number]
  /** The plotted box. */
  box: { x: [number, number]; y: [number, number] }
  start: [number, number]
  /** Minima or saddle points to mark. */
  marks: [number, number][]
  /** 'minimum': paths should reach a mark; 'saddle': paths should escape the mark (f is unbounded below). */
  goal: 'minimum' | 'saddle'
  /** Contour levels. */
  levels: number[]
  /** Learning rates: `gd` for SGD-style rules, `adaptive` for Adam-style rules whose steps are about lr long. */
  lr: { gd: number; adaptive: number }
  /** Default number of steps. */
  steps: number
  /** What the picture shows. */
  caption: string
}

const geometric = (from: number, to: number, count: number) =>
  Array.from({ length: count }, (_, i) => from * (to / from) ** (i / (count - 1)))

/** The four functions of `descent trajectories`, in the order they are drawn. */
export const TEST_FUNCTIONS: readonly TestFunction[] = [
  {
    id: 'quadratic',
    title: 'ill-conditioned quadratic f = 0.1x² + 2y² (condition number 20)',
    f: (x, y) => 0.1 * x * x + 2 * y * y,
    gradient: (x, y) => [0.2 * x, 4 * y],
    box: { x: [-5, 5], y: [-2.5, 2.5] },
    start: [-4.5, 2],
    marks: [[0, 0]],
    goal: 'minimum',
    levels: geometric(0.02, 12, 12),
    lr: { gd: 0.2, adaptive: 0.1 },
    steps: 100,
    caption:
      'With an lr small enough for the steep y direction, SGD drops into the valley floor at once and then crawls ' +
      'along x; momentum carries speed along the valley but overshoots across it; Nesterov damps that; the ' +
      'adaptive methods rescale each coordinate and curve straight towards the minimum (cross).',
  },
  {
    id: 'rosenbrock',
    title: 'Rosenbrock f = (1 − x)² + 100(y − x²)²',
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    box: { x: [-2, 2], y: [-1, 3] },
    start: [-1.5, 2.5],
    marks: [[1, 1]],
    goal: 'minimum',
    levels: geometric(0.5, 2000, 12),
    // SGD's lr must stay below 2/λ across the valley (λ ≈ 2000 at the start): 5e-4 keeps even Nesterov stable.
    lr: { gd: 5e-4, adaptive: 0.05 },
    steps: 500,
    caption:
      'The curved, flat-bottomed valley: every method reaches it quickly, then the question is how fast it follows ' +
      'the valley floor to the minimum at (1, 1).',
  },
  {
    id: 'beale',
    title: 'Beale f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    gradient: (x, y) => {
      const a = 1.5 - x + x * y
      const b = 2.25 - x + x * y * y
      const c = 2.625 - x + x * y ** 3
      return [
        2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
        2 * a * x + 4 * b * x * y + 6 * c * x * y * y,
      ]
    },
    box: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
    start: [1, 1.5],
    marks: [[3, 0.5]],
    goal: 'minimum',
    levels: geometric(0.1, 1e5, 16),
    lr: { gd: 1e-3, adaptive: 0.05 },
    steps: 500,
    caption:
      'Beale has sharp walls and flat plateaus; gradients span orders of magnitude, which is where per-coordinate ' +
      'scaling (Adagrad, RMSprop, Adam) pays. Minimum at (3, 0.5).',
  },
  {
    id: 'saddle',
    title: 'saddle f = x² − y²',
    f: (x, y) => x * x - y * y,
    gradient: (x, y) => [2 * x, -2 * y],
    box: { x: [-2, 2], y: [-2, 2] },
    start: [-1.8, 1e-6],
    marks: [[0, 0]],
    goal: 'saddle',
    levels: Array.from({ length: 15 }, (_, i) => -3.5 + 0.5 * i),
    lr: { gd: 0.05, adaptive: 0.05 },
    steps: 100,
    caption:
      'Starting almost on the ridge y = 0, the gradient along y is tiny: SGD slides into the saddle point and lingers; ' +
      'momentum and especially the adaptive methods, which normalise the small y-gradient, escape downhill.',
  },
]
