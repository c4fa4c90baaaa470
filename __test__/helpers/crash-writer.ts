import { Adam, Parameter, saveCheckpoint } from '../../src/index.js'

/**
 * A large model for the crash test: float32 parameters of `megabytes / 3` MB in all, so that
 * with Adam's two state tensors the checkpoint is about `megabytes` MB. Version v of the run
 * has every parameter value equal to v.
 */
export function largeRun(megabytes: number): {
  params: Parameter[]
  optimizer: Adam
  setVersion(v: number): void
} {
  const elements = Math.floor((megabytes * 1024 * 1024) / 3 / 4)
  const sizes = [
    Math.floor(elements / 2),
    Math.floor(elements / 4),
    elements - Math.floor(elements / 2) - Math.floor(elements / 4),
  ]
  const params = sizes.map((n, i) => new Parameter(new Float32Array(n), [n], `block.${i}`))
  const optimizer = new Adam(params, { lr: 0 })
  optimizer.step() // creates the state tensors (lr 0 leaves the values as they are)
  return {
    params,
    optimizer,
    setVersion(v) {
      for (const p of params) p.data.fill(v)
    },
  }
}

/**
 * The writer the crash test kills: saves versions 1, 2, 3, … of a large checkpoint to one
 * path, forever, announcing `saving v` and `saved v` on stdout.
 *
 * Usage: node crash-writer.js <path> <megabytes> <first version>
 */
async function main(): Promise<void> {
  const [path, megabytes, first] = process.argv.slice(2)
  const run = largeRun(Number(megabytes))
  for (let v = Number(first); ; v++) {
    run.setVersion(v)
    process.stdout.write(`saving ${v}\n`)
    await saveCheckpoint(path as string, {
      model: { parameters: () => run.params },
      optimizer: run.optimizer,
      extra: { version: v },
    })
    process.stdout.write(`saved ${v}\n`)
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
