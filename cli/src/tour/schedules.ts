import { Adam, Parameter, StepDecay, stepDecay } from 'descent-optim'
import { schedulesTable, TUTORIAL_DECAYS, tutorialDecaysChart } from '../figures/schedules.js'
import type { SectionResult, TourSection } from './section.js'

/** Section 4: the tutorial's LearningRateScheduler figure, and its AdamWithScheduler done with a scheduler object. */
export const schedulesSection: TourSection = {
  title: '4. Learning-rate schedules (step, exponential and cosine decay from lr0 0.1)',
  run(): SectionResult {
    // The tutorial's AdamWithScheduler, descent's way: the scheduler sets the optimizer's lr once per epoch.
    const adam = new Adam([new Parameter(new Float64Array(2))], { lr: 0.1 })
    const scheduler = new StepDecay(adam, { drop: 0.5, epochsDrop: 10 })
    const epochs = [0, 8, 9, 10, 19, 50, 99]
    const seen = new Map<number, number>()
    for (let epoch = 0; epoch < 100; epoch++) {
      seen.set(epoch, adam.lr)
      scheduler.step()
    }
    const worst = Math.max(...[...seen].map(([e, lr]) => Math.abs(lr - stepDecay(e, 0.1))))
    return {
      tables: [
        schedulesTable('tutorial-decays', 'The tutorial’s decays (lr0 0.1)', TUTORIAL_DECAYS, epochs),
        {
          id: 'adam-step-decay',
          title: 'Adam driven by StepDecay (drop 0.5 every 10 epochs): the lr each epoch trains with',
          columns: ['epoch', 'adam.lr', 'stepDecay(epoch, 0.1)'],
          rows: epochs.map((e) => [e, seen.get(e) as number, stepDecay(e, 0.1)]),
          note: 'StepDecay drops one epoch earlier than PyTorch’s StepLR: ⌊(1 + e)/10⌋, first drop at epoch 9.',
        },
      ],
      charts: [tutorialDecaysChart()],
      summary: [
        'Schedules: the tutorial’s step, exponential and cosine decays are descent’s StepDecay, ExpDecay and CosineDecay; ' +
          `a StepDecay scheduler drives Adam’s lr through exactly the same values (largest difference ${worst}).`,
      ],
    }
  },
}
