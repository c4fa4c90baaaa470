import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'

const ROOT = join(__dirname, '..', '..')

// The README's first example must run as printed (with 'descent' resolved to this checkout)
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
    example.replace("from 'descent'", `from ${JSON.stringify(join(ROOT, 'dist/src/index.js'))}`),
  )
  const output = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim()
  const promised = /console\.log\(.*\) \/\/ (.*)$/m.exec(example)?.[1]
  t.is(output.replace(/\s+/g, ' '), (promised ?? '(no promised output)').replace(/\s+/g, ' '))
})
