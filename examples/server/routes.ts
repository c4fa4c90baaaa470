import type { IncomingMessage } from 'node:http'
import { readBody } from './body.js'
import type { Learner, TrainResult } from './learner.js'
import type { Metrics, MetricsSnapshot } from './metrics.js'
import type { BoundedQueue } from './queue.js'
import { type LabelledInputs, parsePredictBody, parseTrainBody } from './validate.js'

/** What the routes work with. */
export interface Context {
  readonly learner: Learner
  readonly queue: BoundedQueue<LabelledInputs, TrainResult>
  readonly metrics: Metrics
  readonly maxBodyBytes: number
}

/** A 200 reply's JSON body. Errors are thrown (HttpError, QueueFullError, …) and mapped by the server. */
type Handler = (request: IncomingMessage, context: Context) => Promise<unknown>

/** `POST /train`: checks the batch, queues it, answers `{ step, loss, batches }` once it has been applied. */
async function train(
  request: IncomingMessage,
  { learner, queue, maxBodyBytes }: Context,
): Promise<TrainResult> {
  const where = 'POST /train'
  queue.checkRoom() // refuse before reading a body that could not be queued
  const body = await readBody(where, request, maxBodyBytes)
  const batch = parseTrainBody(where, body, request.headers['content-type'], learner.shape)
  return queue.push(batch)
}

/** What `POST /predict` answers. */
export interface Prediction {
  /** The most probable class of each row. */
  readonly y: number[]
  /** The optimizer steps behind the weights that answered (on the JS backend, which trains in place, at least that many). */
  readonly step: number
}

/** `POST /predict`: the class of each row from the latest weights (training goes on meanwhile). */
async function predict(request: IncomingMessage, { learner, maxBodyBytes }: Context): Promise<Prediction> {
  const where = 'POST /predict'
  const body = await readBody(where, request, maxBodyBytes)
  const inputs = parsePredictBody(where, body, request.headers['content-type'], learner.shape)
  return { y: learner.predict(inputs), step: learner.steps }
}

/** `GET /metrics`. */
async function metrics(_request: IncomingMessage, context: Context): Promise<MetricsSnapshot> {
  return context.metrics.snapshot(context.learner, context.queue)
}

/** The routes, by path and method. */
export const ROUTES: Readonly<Record<string, Readonly<Record<string, Handler>>>> = {
  '/train': { POST: train },
  '/predict': { POST: predict },
  '/metrics': { GET: metrics },
}
