import { Adam, CosineDecayRestarts, LinearWarmup, Parameter, SequentialLR } from 'descent-optim'
import { RESTARTS_CURVES, RESTARTS_DEMO, restartsChart, schedulesTable } from '../figures/schedules.js'
import type { SectionResult, TourSection } from './section.js'

/** Section 7: warmup then cosine decay with warm restarts, over 20000 steps with the demo settings (ALGORITHMS.md §15). */
export const restartsSection: TourSection = {
  title: '7. Warmup + cosine decay with warm restarts (20000 steps, lr0 1e-3, minLr 1e-6)',
  run(): SectionResult {
    const demo = RESTARTS_DEMO
    // The tutorial's AdamWithAdvancedScheduler accepted warmup_steps and ignored it (§13.5); here
    // the warmup is a scheduler of its own, composed with the restarts by SequentialLR.
    const x = new Parameter(Float64Array.of(1))
    const adam = new Adam([x], { lr: demo.lr0 })
    const scheduler = new SequentialLR(adam, {
      schedulers: [
        new LinearWarmup(adam, { warmupSteps: demo.warmupSteps }),
        new CosineDecayRestarts(adam, {
          firstDecaySteps: demo.firstDecaySteps,
          tMul: demo.tMul,
          mMul: demo.mMul,
          alpha: demo.minLr / demo.lr0,
        }),
      ],
      milestones: [demo.warmupSteps],
    })
    const pure = RESTARTS_CURVES[0]?.lr ?? (() => Number.NaN)
    let worst = 0
    for (let step = 0; step < demo.steps; step++) {
      worst = Math.max(worst, Math.abs(adam.lr - pure(step)))
      x.grad[0] = 2 * (x.data[0] as number)
      adam.step()
      scheduler.step()
    }
    const steps = [0, 500, 999, 1000, 5999, 6000, 15999, 16000, 19999]
    return {
      tables: [schedulesTable('cosine-restarts', 'lr at the telling steps', RESTARTS_CURVES, steps)],
      charts: [restartsChart()],
      summary: [
        'Warmup + cosine restarts: linear warmup to step 1000, then restarts at 1000, 6000 and 16000 with peaks ' +
          `halving; an Adam driven by SequentialLR for 20000 steps saw exactly these lrs (largest difference ${worst}). ` +
          'The tutorial’s formula runs each cycle down and back up, and its warmup argument did nothing.',
      ],
    }
  },
}
