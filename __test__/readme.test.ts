import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'

const ROOT = join(__dirname, '..', '..')

// The README's first example must run as printed (with 'descent-optim' resolved to this checkout)
// and print what its last comment says.
test('the README example runs as printed', (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const example = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!example) return t.fail('no ## Example code block in README.md')
  const dir = mkdtempSync(join(tmpdir(), 'descent-readme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'example.mjs')
  writeFileSync(
    file,
    example.replace("from 'descent-optim'", `from ${JSON.stringify(join(ROOT, 'dist/src/index.js'))}`),
  )
  const output = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim()
  const promised = /console\.log\(.*\) \/\/ (.*)$/m.exec(example)?.[1]
  t.is(output.replace(/\s+/g, ' '), (promised ?? '(no promised output)').replace(/\s+/g, ' '))
})

// A schedule call in the README shows the value a program prints, digit for digit.
test('the schedule functions in the README print the values their comments show', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const descent = (await import(join(ROOT, 'dist/src/index.js'))) as Record<
    string,
    (...a: unknown[]) => number
  >
  const calls = [...readme.matchAll(/^(\w+LR)\((.*)\)\s+\/\/ (-?[0-9][0-9.e+-]*)(?: |$)/gm)]
  t.true(calls.length >= 2, 'the README shows schedule values')
  for (const [line, name, args, shown] of calls) {
    const fn = descent[name as string] as (...a: unknown[]) => number
    const value = new Function('fn', `return fn(${args})`)(fn) as number
    t.is(String(value), shown, line)
  }
})
