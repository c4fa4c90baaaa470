import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import test from 'ava'

// examples/online.ts, the Trainer example the README points to, must run as it is and learn.
test('examples/online.js runs, trains its ten batches and improves held-out accuracy', (t) => {
  const output = execFileSync(process.execPath, [join(__dirname, '..', 'examples', 'online.js')], {
    encoding: 'utf8',
  })
  const accuracy = (when: string) => Number(new RegExp(`accuracy ${when}: ([\\d.]+)`).exec(output)?.[1])
  t.regex(output, /trained 10 batches, 60 steps/)
  t.true(accuracy('after') > accuracy('before') + 0.5, output)
})
