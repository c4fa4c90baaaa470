/** A contour line: its level and its points in order. */
export interface ContourLine {
  level: number
  points: [number, number][]
}

/** A rectangular region sampled on a regular grid. */
export interface Grid {
  x: readonly [number, number]
  y: readonly [number, number]
  /** Samples along each axis (≥ 2). */
  resolution: number
}

/** Segments of one marching-squares cell by case, as pairs of edges: 0 bottom, 1 right, 2 top, 3 left. */
const CASES: readonly (readonly [number, number][])[] = [
  [],
  [[3, 0]],
  [[0, 1]],
  [[3, 1]],
  [[1, 2]],
  [], // saddle, decided by the centre value
  [[0, 2]],
  [[3, 2]],
  [[3, 2]],
  [[0, 2]],
  [], // saddle
  [[1, 2]],
  [[3, 1]],
  [[0, 1]],
  [[3, 0]],
  [],
]

/**
 * Contour lines of `f` over `grid` at each of `levels`, by marching squares with linear
 * interpolation along cell edges; saddle cells are split by the value at the cell centre.
 * Segments are joined into polylines through shared edges, so each line is drawn as one path.
 */
export function contourLines(
  f: (x: number, y: number) => number,
  grid: Grid,
  levels: readonly number[],
): ContourLine[] {
  const n = grid.resolution
  const xs = Array.from({ length: n }, (_, i) => grid.x[0] + ((grid.x[1] - grid.x[0]) * i) / (n - 1))
  const ys = Array.from({ length: n }, (_, j) => grid.y[0] + ((grid.y[1] - grid.y[0]) * j) / (n - 1))
  const values = ys.map((y) => xs.map((x) => f(x, y)))
  const v = (i: number, j: number) => (values[j] as number[])[i] as number
  const lines: ContourLine[] = []
  for (const level of levels) {
    // An edge is named by its lower-left grid point and direction; its crossing point is cached.
    const point = (i: number, j: number, edge: number): { key: string; at: [number, number] } => {
      const [i0, j0, i1, j1] =
        edge === 0
          ? [i, j, i + 1, j]
          : edge === 1
            ? [i + 1, j, i + 1, j + 1]
            : edge === 2
              ? [i, j + 1, i + 1, j + 1]
              : [i, j, i, j + 1]
      const a = v(i0, j0)
      const b = v(i1, j1)
      const t = a === b ? 0.5 : (level - a) / (b - a)
      const x = (xs[i0] as number) + t * ((xs[i1] as number) - (xs[i0] as number))
      const y = (ys[j0] as number) + t * ((ys[j1] as number) - (ys[j0] as number))
      return { key: `${i0},${j0},${i1},${j1}`, at: [x, y] }
    }
    const segments: { a: { key: string; at: [number, number] }; b: { key: string; at: [number, number] } }[] =
      []
    for (let j = 0; j < n - 1; j++) {
      for (let i = 0; i < n - 1; i++) {
        const corners = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)]
        if (!corners.every(Number.isFinite)) continue
        const index = corners.reduce((acc, c, k) => acc | ((c > level ? 1 : 0) << k), 0)
        let pairs = CASES[index] as readonly [number, number][]
        if (index === 5 || index === 10) {
          const centreAbove = corners.reduce((s, c) => s + c, 0) / 4 > level
          const isolateBD: [number, number][] = [
            [0, 1],
            [3, 2],
          ]
          const isolateAC: [number, number][] = [
            [3, 0],
            [1, 2],
          ]
          pairs = (index === 5) === centreAbove ? isolateBD : isolateAC
        }
        for (const [e1, e2] of pairs) segments.push({ a: point(i, j, e1), b: point(i, j, e2) })
      }
    }
    lines.push(...joinSegments(segments).map((points) => ({ level, points })))
  }
  return lines
}

function joinSegments(
  segments: { a: { key: string; at: [number, number] }; b: { key: string; at: [number, number] } }[],
): [number, number][][] {
  const byKey = new Map<string, number[]>()
  segments.forEach((s, k) => {
    for (const key of [s.a.key, s.b.key]) {
      const list = byKey.get(key)
      if (list) list.push(k)
      else byKey.set(key, [k])
    }
  })
  const used = new Uint8Array(segments.length)
  const polylines: [number, number][][] = []
  // Follows unused segments from `key`, appending their far ends.
  const walk = (key: string, out: [number, number][]) => {
    for (;;) {
      const next = (byKey.get(key) ?? []).find((k) => !used[k])
      if (next === undefined) return
      used[next] = 1
      const s = segments[next] as (typeof segments)[number]
      const far = s.a.key === key ? s.b : s.a
      out.push(far.at)
      key = far.key
    }
  }
  segments.forEach((s, k) => {
    if (used[k]) return
    used[k] = 1
    const forward: [number, number][] = [s.a.at, s.b.at]
    walk(s.b.key, forward)
    const backward: [number, number][] = []
    walk(s.a.key, backward)
    polylines.push([...backward.reverse(), ...forward])
  })
  return polylines
}
