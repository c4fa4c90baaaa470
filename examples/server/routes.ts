import type { IncomingMessage } from 'node:http'
import { DescentError, type TrainResult, tensor } from '../../src/index.js'
import { readBody } from './body.js'
import { INPUTS } from './config.js'
import { badRequest, HttpError } from './http-error.js'
import type { Learner } from './learner.js'
import type { Metrics, MetricsSnapshot } from './metrics.js'
import { isBinary, parsePredictBody } from './validate.js'

/** What the routes work with. */
export interface Context {
  readonly learner: Learner
  readonly metrics: Metrics
  readonly maxBodyBytes: number
}

/** A 200 reply's JSON body. Errors are thrown (HttpError, DescentError, …) and mapped by the server. */
type Handler = (request: IncomingMessage, context: Context) => Promise<unknown>

/** Seconds until the batches ahead of a new one would have trained, from the recent pace (at least 1). */
function retryAfterSeconds({ trainer }: Learner, rowsPerBatch: number): number {
  const { queued, samplesPerSecond } = trainer.metrics()
  if (samplesPerSecond <= 0) return 1
  return Math.max(1, Math.ceil(((queued + 1) * rowsPerBatch) / samplesPerSecond))
}

/** The 429 for a full queue, with the seconds to wait. */
function queueFull(learner: Learner, where: string, rowsPerBatch: number): HttpError {
  const retry = retryAfterSeconds(learner, rowsPerBatch)
  const waiting = Math.max(0, learner.trainer.pending - 1)
  return new HttpError(
    429,
    `${where}: the training queue is full (${waiting} batches waiting); retry in ${retry} s`,
    { 'Retry-After': String(retry) },
  )
}

let lastRows = 256

/**
 * `POST /train`: hands the raw body to the trainer (JSON or binary, parsed and checked off the
 * event loop) and answers `{ step, loss, rows }` once the batch has been applied.
 */
async function train(request: IncomingMessage, { learner, maxBodyBytes }: Context): Promise<TrainResult> {
  const where = 'POST /train'
  // Refuse before reading a body that could not be queued.
  if (learner.trainer.full) throw queueFull(learner, where, lastRows)
  const body = await readBody(where, request, maxBodyBytes)
  const binary = isBinary(request.headers['content-type'])
  try {
    const result = await (binary ? learner.trainer.trainBuffer(body) : learner.trainer.trainJson(body))
    lastRows = result.rows
    return result
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError)
      throw badRequest(`${where}: ${error.message.replace(/^Trainer\.\w+: /, '')}`)
    if (error instanceof DescentError && error.code === 'DESCENT_QUEUE_FULL')
      throw queueFull(learner, where, lastRows)
    if (error instanceof DescentError && error.code === 'DESCENT_CLOSED')
      throw new HttpError(503, `${where}: the server is shutting down; the batch was not applied`)
    throw error
  }
}

/** What `POST /predict` answers. */
export interface Prediction {
  /** The most probable class of each row. */
  readonly y: number[]
  /** The optimizer steps applied when the answer was computed (the weights may be one batch behind). */
  readonly step: number
}

/** `POST /predict`: the class of each row from the latest published weights (training goes on meanwhile). */
async function predict(request: IncomingMessage, { learner, maxBodyBytes }: Context): Promise<Prediction> {
  const where = 'POST /predict'
  const body = await readBody(where, request, maxBodyBytes)
  const { rows, x } = parsePredictBody(where, body, request.headers['content-type'], INPUTS)
  const classes = learner.model.predictClasses(tensor(x, [rows, INPUTS])).data
  return { y: Array.from(classes), step: learner.trainer.metrics().steps }
}

/** `GET /metrics`. */
async function metrics(_request: IncomingMessage, context: Context): Promise<MetricsSnapshot> {
  return context.metrics.snapshot(context.learner)
}

/** The routes, by path and method. */
export const ROUTES: Readonly<Record<string, Readonly<Record<string, Handler>>>> = {
  '/train': { POST: train },
  '/predict': { POST: predict },
  '/metrics': { GET: metrics },
}
