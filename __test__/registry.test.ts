import test from 'ava'
import { RULES } from '../src/index.js'

test('the Rust registry and the TypeScript registry list the same rules', (t) => {
  const addon = require('../../native/index.js') as { ruleNames(): string[] }
  t.deepEqual([...addon.ruleNames()].sort(), RULES.map((r) => r.rule).sort())
})
