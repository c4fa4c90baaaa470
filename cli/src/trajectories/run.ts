import { Parameter } from 'descent-optim'
import type { TestFunction } from './functions.js'
import type { PathOptimizer } from './presets.js'

/** Coordinates beyond this are treated as diverged and the path ends there. */
const FAR = 1e6

/**
 * Runs `optimizer` on `fn` from its start for `steps` steps, the analytic gradient written into
 * a 2-element float64 Parameter by the closure each step hands it; returns every point visited
 * (the start first). A path that leaves |x|, |y| ≤ 1e6 or turns non-finite stops there.
 */
export function runPath(fn: TestFunction, preset: PathOptimizer, steps: number): [number, number][] {
  const point = new Parameter(Float64Array.from(fn.start), [...preset.shape], 'xy')
  const optimizer = preset.create([point], fn)
  const path: [number, number][] = [[...fn.start]]
  const closure = () => {
    const [x, y] = point.data as unknown as [number, number]
    const [gx, gy] = fn.gradient(x, y)
    point.grad[0] = gx
    point.grad[1] = gy
    return fn.f(x, y)
  }
  for (let k = 0; k < steps; k++) {
    optimizer.step(closure)
    const x = point.data[0] as number
    const y = point.data[1] as number
    if (!(Math.abs(x) <= FAR && Math.abs(y) <= FAR)) break
    path.push([x, y])
  }
  return path
}
