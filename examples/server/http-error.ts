/**
 * An error that is the client's to fix (or to wait out), with the HTTP status and headers to
 * answer it with. Anything else thrown while serving a request is a 500.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** A 400 Bad Request: the body cannot be used as it is; nothing was changed. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message)
}
