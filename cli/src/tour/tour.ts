import { adamVsNadamSection } from './adam-vs-nadam.js'
import { benchmarkSection } from './benchmark.js'
import { linearRegressionSection } from './linear-regression.js'
import { mlpSection } from './mlp.js'
import { oneUpdateSection } from './one-update.js'
import { restartsSection } from './restarts.js'
import { schedulesSection } from './schedules.js'
import type { TourSection } from './section.js'

/** The tour, in the tutorial's order. */
export const TOUR_SECTIONS: readonly TourSection[] = [
  oneUpdateSection,
  linearRegressionSection,
  adamVsNadamSection,
  schedulesSection,
  mlpSection,
  benchmarkSection,
  restartsSection,
]
