/**
 * The tutorial's optimizer classes, transcribed to plain number arrays so the tour can print
 * their numbers beside descent's. Where the tutorial is right (GD, Momentum, AdaGrad, RMSprop,
 * Adam) the two agree; NAdam and AdaFactor are transcribed with their bugs (ALGORITHMS.md §13.3,
 * §13.4). Each takes params and grads and returns the new params, keeping its state, as the
 * tutorial's `update(params, grads)` does.
 */
export type TutorialUpdate = (params: number[], grads: number[]) => number[]

const zeros = (n: number) => new Array<number>(n).fill(0)

/** `GradientDescent(learning_rate)`: p − lr·g. */
export function tutorialGradientDescent(lr: number): TutorialUpdate {
  return (p, g) => p.map((x, i) => x - lr * (g[i] as number))
}

/** `MomentumOptimizer(learning_rate, momentum)`: v ← μv − lr·g; p + v. */
export function tutorialMomentum(lr = 0.01, momentum = 0.9): TutorialUpdate {
  let velocity: number[] = []
  return (p, g) => {
    if (velocity.length === 0) velocity = zeros(p.length)
    return p.map((x, i) => {
      velocity[i] = momentum * (velocity[i] as number) - lr * (g[i] as number)
      return x + (velocity[i] as number)
    })
  }
}

/** `AdaGrad(learning_rate, epsilon)`: G ← G + g²; p − lr·g/(√G + ε). */
export function tutorialAdaGrad(lr = 0.01, eps = 1e-8): TutorialUpdate {
  let a: number[] = []
  return (p, g) => {
    if (a.length === 0) a = zeros(p.length)
    return p.map((x, i) => {
      a[i] = (a[i] as number) + (g[i] as number) ** 2
      return x - (lr * (g[i] as number)) / (Math.sqrt(a[i] as number) + eps)
    })
  }
}

/** `RMSprop(learning_rate, decay_rate, epsilon)`: c ← ρc + (1 − ρ)g²; p − lr·g/(√c + ε). */
export function tutorialRMSprop(lr = 0.01, decay = 0.9, eps = 1e-8): TutorialUpdate {
  let c: number[] = []
  return (p, g) => {
    if (c.length === 0) c = zeros(p.length)
    return p.map((x, i) => {
      c[i] = decay * (c[i] as number) + (1 - decay) * (g[i] as number) ** 2
      return x - (lr * (g[i] as number)) / (Math.sqrt(c[i] as number) + eps)
    })
  }
}

function adamFamily(
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  nesterovBug: boolean,
): TutorialUpdate {
  let m: number[] | undefined
  let v: number[] | undefined
  let t = 0
  return (p, g) => {
    m ??= zeros(p.length)
    v ??= zeros(p.length)
    t += 1
    const [mm, vv] = [m, v]
    return p.map((x, i) => {
      const gi = g[i] as number
      mm[i] = beta1 * (mm[i] as number) + (1 - beta1) * gi
      vv[i] = beta2 * (vv[i] as number) + (1 - beta2) * gi * gi
      const mHat = (mm[i] as number) / (1 - beta1 ** t)
      const vHat = (vv[i] as number) / (1 - beta2 ** t)
      // The tutorial's NAdam divides the already bias-corrected m̂ by (1 − β₁ᵗ) a second time.
      const direction = nesterovBug ? (beta1 * mHat + (1 - beta1) * gi) / (1 - beta1 ** t) : mHat
      return x - (lr * direction) / (Math.sqrt(vHat) + eps)
    })
  }
}

/** `Adam(learning_rate, beta1, beta2, epsilon)`, textbook Adam. */
export function tutorialAdam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): TutorialUpdate {
  return adamFamily(lr, beta1, beta2, eps, false)
}

/** The tutorial's `NAdam`, with its double bias correction (§13.3): early steps up to 1/(1 − β₁ᵗ) too long. */
export function tutorialNAdam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): TutorialUpdate {
  return adamFamily(lr, beta1, beta2, eps, true)
}

/**
 * The tutorial's `AdaFactor` on a [rows, cols] matrix (row-major): row and column means of g²
 * averaged with β₂ and the update g·R^(−½)·C^(−½)·lr — without dividing by mean(R), so V is
 * estimated in units of g⁴ and the update grows as gradients shrink (§13.4).
 */
export function tutorialAdaFactor(
  rows: number,
  cols: number,
  lr = 0.01,
  beta2 = 0.999,
  eps1 = 1e-30,
): TutorialUpdate {
  const row = zeros(rows)
  const col = zeros(cols)
  return (p, g) => {
    const at = (r: number, c: number) => g[r * cols + c] as number
    for (let r = 0; r < rows; r++) {
      let sum = 0
      for (let c = 0; c < cols; c++) sum += at(r, c) ** 2
      row[r] = beta2 * (row[r] as number) + (1 - beta2) * (sum / cols)
    }
    for (let c = 0; c < cols; c++) {
      let sum = 0
      for (let r = 0; r < rows; r++) sum += at(r, c) ** 2
      col[c] = beta2 * (col[c] as number) + (1 - beta2) * (sum / rows)
    }
    return p.map((x, k) => {
      const r = Math.floor(k / cols)
      const c = k % cols
      const scaled = at(r, c) / Math.sqrt((row[r] as number) + eps1) / Math.sqrt((col[c] as number) + eps1)
      return x - lr * scaled
    })
  }
}
