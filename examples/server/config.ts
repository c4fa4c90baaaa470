import type { BackendName } from '../../src/index.js'

/** Pixels of an MNIST digit: the model's inputs. */
export const INPUTS = 784
/** Digit classes: the model's outputs. */
export const CLASSES = 10
/** The only interface the example listens on: it is a demo, not a public service. */
export const HOST = '127.0.0.1'

/** What the server runs with, read from the environment (the README's server section lists the variables). */
export interface ServerConfig {
  /** `PORT` (default 3000); 0 lets the system pick a free port, printed on stdout. */
  readonly port: number
  /** Layer widths: `INPUTS`, the hidden widths of `HIDDEN` (default 256), `CLASSES`. */
  readonly sizes: readonly number[]
  /** `OPTIMIZER`: 'adam' (default) or 'adamwScheduleFree' (no schedule; predictions read its average). */
  readonly optimizer: ServerOptimizer
  /** `LR`: the optimizer's learning rate (default 1e-3 for Adam, 2.5e-3 for AdamW Schedule-Free). */
  readonly lr: number
  /** `BACKEND`: 'native' or 'js'; unset, descent's default (native when the addon loaded). */
  readonly backend: BackendName | undefined
  /** `QUEUE_LIMIT`: training batches that may wait behind the one training (default 8). */
  readonly queueLimit: number
  /** `MAX_BODY_BYTES`: the largest request body accepted (default 8 MiB). */
  readonly maxBodyBytes: number
  /** `MINIBATCH`: rows per optimizer step; unset, each posted batch is one step. */
  readonly minibatch: number | undefined
  /** `TRAIN_THREADS`: threads of the native trainer's matrix products; unset, one per core. */
  readonly trainThreads: number | undefined
  /** `SEED`: seed of the initial weights (default 0). */
  readonly seed: number
}

type Env = Readonly<Record<string, string | undefined>>

/** The optimizers the server can train with. */
export type ServerOptimizer = 'adam' | 'adamwScheduleFree'

const DEFAULT_LR: Record<ServerOptimizer, number> = { adam: 1e-3, adamwScheduleFree: 2.5e-3 }

function optimizerName(env: Env): ServerOptimizer {
  const raw = env.OPTIMIZER
  if (raw === undefined || raw === '') return 'adam'
  if (raw !== 'adam' && raw !== 'adamwScheduleFree')
    throw invalid('OPTIMIZER', "'adam' or 'adamwScheduleFree'", raw)
  return raw
}

function invalid(name: string, expected: string, raw: string): RangeError {
  return new RangeError(`${name} must be ${expected}, got ${JSON.stringify(raw)}`)
}

/** The integer in `env[name]` (decimal digits only), or undefined when unset or empty. */
function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw invalid(name, `an integer in [${min}, ${max}]`, raw)
  return value
}

function hiddenWidths(env: Env): number[] {
  const raw = env.HIDDEN
  if (raw === undefined || raw === '') return [256]
  const widths = raw.split(',').map((w) => w.trim())
  if (!widths.every((w) => /^\d+$/.test(w) && Number(w) >= 1 && Number(w) <= 65_536))
    throw invalid('HIDDEN', 'hidden-layer widths like 256 or 512,128 (integers in [1, 65536])', raw)
  return widths.map(Number)
}

function learningRate(env: Env, optimizer: ServerOptimizer): number {
  const raw = env.LR
  if (raw === undefined || raw === '') return DEFAULT_LR[optimizer]
  const lr = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(lr) || lr <= 0) throw invalid('LR', 'a number > 0', raw)
  return lr
}

function backend(env: Env): BackendName | undefined {
  const raw = env.BACKEND
  if (raw === undefined || raw === '') return undefined
  if (raw !== 'native' && raw !== 'js') throw invalid('BACKEND', "'native' or 'js'", raw)
  return raw
}

/** Reads and checks every setting; a bad one throws a RangeError naming the variable. */
export function readConfig(env: Env = process.env): ServerConfig {
  const optimizer = optimizerName(env)
  return {
    port: integer(env, 'PORT', 0, 65_535) ?? 3000,
    sizes: [INPUTS, ...hiddenWidths(env), CLASSES],
    optimizer,
    lr: learningRate(env, optimizer),
    backend: backend(env),
    queueLimit: integer(env, 'QUEUE_LIMIT', 0, 10_000) ?? 8,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1024, 2 ** 30) ?? 8 * 2 ** 20,
    minibatch: integer(env, 'MINIBATCH', 1, 1_000_000),
    trainThreads: integer(env, 'TRAIN_THREADS', 1, 1024),
    seed: integer(env, 'SEED', 0, 2 ** 32 - 1) ?? 0,
  }
}
