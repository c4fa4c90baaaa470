import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { HttpError } from './http-error.js'
import { type Context, ROUTES } from './routes.js'

/** How long a shutdown waits for requests still being read or answered before closing their connections. */
const SHUTDOWN_GRACE_MS = 5000

/** A reply: status, extra headers and a JSON body. */
interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** The reply for an error thrown by a route: the one place errors become statuses. */
function errorReply(route: string, error: unknown): Reply {
  if (error instanceof HttpError)
    return { status: error.status, headers: error.headers, body: { error: error.message } }
  console.error(`${route}: internal error`, error)
  return {
    status: 500,
    headers: {},
    body: { error: `${route}: internal error: ${(error as Error)?.message}` },
  }
}

/**
 * The HTTP front of the example: routes requests to routes.ts, maps errors to statuses and shuts
 * down gracefully (`stop`).
 */
export class TrainingServer {
  readonly http: Server
  readonly #context: Context
  #closing = false
  /** Requests received and not yet answered. */
  #active = 0
  #idle: (() => void) | undefined

  constructor(context: Context) {
    this.#context = context
    this.http = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        console.error(`${request.method} ${request.url}: could not reply`, error)
        response.destroy()
      })
    })
  }

  /** Listens on `host:port` (port 0: a free one) and resolves with the port. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(port, host, () => {
        this.http.off('error', reject)
        resolve()
      })
    })
    const address = this.http.address()
    if (address === null || typeof address === 'string')
      throw new Error(`listening on an unexpected address: ${address}`)
    return address.port
  }

  /**
   * Stops accepting connections, answers new requests on open ones with 503, lets the training
   * batch in flight finish (batches still waiting get 503: not applied), waits (at most
   * SHUTDOWN_GRACE_MS) for the replies under way, then closes every connection.
   */
  async stop(): Promise<void> {
    this.#closing = true
    this.http.close()
    this.http.closeIdleConnections()
    await this.#context.learner.trainer.close()
    if (this.#active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)
        this.#idle = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    this.http.closeAllConnections()
    this.#context.metrics.stop()
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#active++
    response.once('close', () => {
      this.#active--
      if (this.#active === 0) this.#idle?.()
    })
    const method = request.method ?? 'GET'
    const path = (request.url ?? '/').split('?')[0] as string
    const route = `${method} ${path}`
    const reply = await this.#reply(request, method, path, route)
    this.#context.metrics.count(Object.hasOwn(ROUTES, path) ? route : 'other', reply.status)
    const json = JSON.stringify(reply.body)
    response.writeHead(reply.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(json),
      ...(this.#closing ? { Connection: 'close' } : {}),
      ...reply.headers,
    })
    response.end(json)
  }

  async #reply(request: IncomingMessage, method: string, path: string, route: string): Promise<Reply> {
    if (this.#closing) return errorReply(route, new HttpError(503, 'the server is shutting down'))
    // Own keys only: a path like /constructor must not find Object.prototype's.
    const routes = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined
    const handler = routes && Object.hasOwn(routes, method) ? routes[method] : undefined
    if (routes === undefined) {
      const known = Object.entries(ROUTES).flatMap(([p, r]) => Object.keys(r).map((m) => `${m} ${p}`))
      return errorReply(route, new HttpError(404, `no route ${route}; the routes are ${known.join(', ')}`))
    }
    if (handler === undefined) {
      const allow = Object.keys(routes).join(', ')
      return errorReply(route, new HttpError(405, `${path} takes ${allow}, not ${method}`, { Allow: allow }))
    }
    try {
      return { status: 200, headers: {}, body: await handler(request, this.#context) }
    } catch (error) {
      return errorReply(route, error)
    }
  }
}
