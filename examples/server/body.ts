import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error.js'

/**
 * The whole request body, refused with a 400 as soon as it would pass `maxBytes` (by its
 * Content-Length, before reading anything, or while it streams in), so a client cannot make the
 * server buffer more than that. The rest of a refused body is discarded.
 */
export function readBody(where: string, request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // Connection: close, so that the rest of a huge body need not be read before the next request.
  const tooLarge = (bytes: string) =>
    new HttpError(400, `${where}: the body is ${bytes} bytes; the limit is ${maxBytes} (MAX_BODY_BYTES)`, {
      Connection: 'close',
    })
  const declared = Number(request.headers['content-length'])
  if (declared > maxBytes) {
    request.resume()
    return Promise.reject(tooLarge(String(declared)))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let length = 0
    const onData = (chunk: Buffer) => {
      length += chunk.length
      if (length <= maxBytes) {
        chunks.push(chunk)
        return
      }
      request.off('data', onData)
      request.resume()
      reject(tooLarge(`over ${maxBytes}`))
    }
    request.on('data', onData)
    request.on('end', () => {
      if (length <= maxBytes) resolve(Buffer.concat(chunks, length))
    })
    request.on('error', reject)
  })
}
