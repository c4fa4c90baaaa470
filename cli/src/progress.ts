import { SingleBar } from 'cli-progress'

/** Progress of a long command: a bar on a terminal, one plain line per item otherwise, nothing when quiet. */
export interface Progress {
  /** Starts (or restarts) counting `total` items. */
  start(total: number, label: string): void
  /** One item done; `label` says what comes next or what finished. */
  tick(label: string): void
  /** Writes `text` to stdout without tearing the bar (on a terminal the bar is redrawn below it). */
  print(text: string): void
  /** Ends the bar (leaving the terminal clean). */
  stop(): void
}

/**
 * A progress reporter on stderr (stdout stays for tables): cli-progress's bar when stderr is
 * a TTY, `[k/n] label` lines when it is not (logs, CI, pipes), no output with `quiet`.
 */
export function createProgress(options: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr
  if (options.quiet) return { start() {}, tick() {}, print() {}, stop() {} }
  if (!stream.isTTY) {
    let done = 0
    let total = 0
    return {
      start(n, label) {
        done = 0
        total = n
        stream.write(`[0/${total}] ${label}\n`)
      },
      tick(label) {
        done++
        stream.write(`[${done}/${total}] ${label}\n`)
      },
      print(text) {
        process.stdout.write(text)
      },
      stop() {},
    }
  }
  const bar = new SingleBar({
    stream,
    format: '{bar} {value}/{total} {label}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
  })
  let running = false
  let done = 0
  let total = 0
  let current = ''
  return {
    start(n, label) {
      if (running) bar.stop()
      done = 0
      total = n
      current = label
      bar.start(n, 0, { label })
      running = true
    },
    tick(label) {
      done++
      current = label
      bar.increment(1, { label })
    },
    print(text) {
      if (!running) {
        process.stdout.write(text)
        return
      }
      bar.stop()
      process.stdout.write(text)
      bar.start(total, done, { label: current })
    },
    stop() {
      if (running) bar.stop()
      running = false
    },
  }
}
