import type { Chart } from '../report/chart.js'
import { trajectoryChart } from '../report/charts/trajectory-chart.js'
import type { Table } from '../report/table.js'
import type { TestFunction } from '../trajectories/functions.js'
import type { PathOptimizer } from '../trajectories/presets.js'
import { runPath } from '../trajectories/run.js'

/** The paths of several optimizers on one function. */
export interface FunctionPaths {
  fn: TestFunction
  steps: number
  paths: { preset: PathOptimizer; points: [number, number][] }[]
}

/** Runs every preset on `fn` for `steps` steps (default: the function's own). */
export function functionPaths(
  fn: TestFunction,
  presets: readonly PathOptimizer[],
  steps?: number,
): FunctionPaths {
  const n = steps ?? fn.steps
  return { fn, steps: n, paths: presets.map((preset) => ({ preset, points: runPath(fn, preset, n) })) }
}

/** The contour plot with every path. */
export function trajectoriesChart(result: FunctionPaths): Chart {
  const { fn } = result
  return trajectoryChart({
    id: `trajectory-${fn.id}`,
    title: `Optimizer paths on the ${fn.title}, ${result.steps} steps`,
    caption: fn.caption,
    f: fn.f,
    grid: { x: fn.box.x, y: fn.box.y, resolution: 90 },
    levels: fn.levels,
    paths: result.paths.map((p) => ({ optimizer: p.preset.name, points: p.points })),
    marks: fn.marks,
  })
}

/** Where each path ended: the point, f there, and the distance to the nearest marked point. */
export function trajectoriesTable(results: readonly FunctionPaths[]): Table {
  return {
    id: 'trajectories',
    title: 'Where each optimizer ended',
    columns: ['function', 'optimizer', 'settings', 'steps', 'x', 'y', 'f(x, y)', 'distance to mark'],
    rows: results.flatMap(({ fn, paths }) =>
      paths.map(({ preset, points }) => {
        const [x, y] = points[points.length - 1] as [number, number]
        const distance = Math.min(...fn.marks.map(([mx, my]) => Math.hypot(x - mx, y - my)))
        const steps = points.length - 1
        return [fn.id, preset.name, preset.settings(fn), steps, x, y, fn.f(x, y), distance]
      }),
    ),
    note: 'steps below the requested number mean the path diverged (left |x|, |y| <= 1e6) and stopped there.',
  }
}

/** One sentence per function: which optimizers got closest to the minimum, or which escaped the saddle. */
export function trajectoriesSummary(results: readonly FunctionPaths[]): string[] {
  return results.map(({ fn, paths }) => {
    const ends = paths.map(({ preset, points }) => {
      const [x, y] = points[points.length - 1] as [number, number]
      const distance = Math.min(...fn.marks.map(([mx, my]) => Math.hypot(x - mx, y - my)))
      return { name: preset.name, distance }
    })
    if (fn.goal === 'saddle') {
      const escaped = ends.filter((e) => e.distance > 1).map((e) => e.name)
      const stuck = ends.filter((e) => e.distance <= 1).map((e) => e.name)
      return `${fn.id}: escaped the saddle point: ${escaped.join(', ') || 'none'}; still near it: ${stuck.join(', ') || 'none'}.`
    }
    const ranked = [...ends].sort((a, b) => a.distance - b.distance).slice(0, 3)
    return `${fn.id}: closest to the minimum after the steps: ${ranked.map((e) => `${e.name} (${e.distance.toPrecision(2)})`).join(', ')}.`
  })
}
