import test from 'ava'
import { ReduceLROnPlateau } from '../src/schedulers/index.js'
import {
  CLOSED_FORMS,
  fakeOptimizer,
  mismatch,
  type ScheduleCase,
  scheduleCases,
} from './schedulers-fixtures.js'

// Replays every case of golden/schedules_torch.json and schedules_tutorial.json: lrs[0] right
// after construction, lrs[k] after k step() calls (plateau: lrs[k + 1] after step(metrics[k])).
// A second param group with another base lr checks that groups are scheduled independently.

const cases = scheduleCases()

test('both golden files were found and hold schedule cases', (t) => {
  t.true(cases.some((c) => c.file === 'schedules_torch.json'))
  t.true(cases.some((c) => c.file === 'schedules_tutorial.json'))
})

function replayClosedForm(c: ScheduleCase): string | undefined {
  const form = CLOSED_FORMS[c.schedule]
  if (form === undefined) return `no scheduler for '${c.schedule}'`
  const other = c.initialLr * 0.37
  const optimizer = fakeOptimizer(c.initialLr, other)
  const scheduler = form.make(optimizer, c.options)
  for (const [k, expected] of c.lrs.entries()) {
    if (k > 0) scheduler.step()
    if (scheduler.lastEpoch !== k) return `lastEpoch ${scheduler.lastEpoch} after ${k} steps`
    const [lr0, lr1] = scheduler.getLastLr() as [number, number]
    const bad = mismatch(lr0, expected)
    if (bad) return `lrs[${k}]: ${bad}`
    if (optimizer.paramGroups[0]?.lr !== lr0 || optimizer.paramGroups[1]?.lr !== lr1) {
      return `step ${k}: the optimizer's lrs differ from getLastLr()`
    }
    // The closed forms must agree exactly with what stepping produced, for both groups.
    const at = scheduler.lrAt(k)
    if (at[0] !== lr0 || at[1] !== lr1) return `step ${k}: lrAt gives [${at}], stepping gave [${lr0}, ${lr1}]`
    const pure0 = form.pure(k, c.initialLr, c.options)
    const pure1 = form.pure(k, other, c.options)
    if (pure0 !== lr0 || pure1 !== lr1) {
      return `step ${k}: the pure function gives [${pure0}, ${pure1}], stepping gave [${lr0}, ${lr1}]`
    }
  }
  return undefined
}

function replayPlateau(c: ScheduleCase): string | undefined {
  const metrics = c.metrics ?? []
  if (metrics.length + 1 !== c.lrs.length) return 'plateau case needs lrs.length = metrics.length + 1'
  const optimizer = fakeOptimizer(c.initialLr, c.initialLr)
  const scheduler = new ReduceLROnPlateau(optimizer, c.options)
  for (const [k, expected] of c.lrs.entries()) {
    if (k > 0) scheduler.step(metrics[k - 1] as number)
    for (const [g, lr] of scheduler.getLastLr().entries()) {
      const bad = mismatch(lr, expected)
      if (bad) return `lrs[${k}] group ${g}: ${bad}`
      if (optimizer.paramGroups[g]?.lr !== lr) return `step ${k}: the optimizer's lr differs from getLastLr()`
    }
  }
  return undefined
}

for (const c of cases) {
  test(`${c.file} ${c.name}`, (t) => {
    const problem = c.schedule === 'reduceLROnPlateau' ? replayPlateau(c) : replayClosedForm(c)
    if (problem) t.fail(problem)
    else t.pass()
  })
}
