import test from 'ava'
import { RULES } from '../src/index.js'

test('the Rust registry and the TypeScript registry list the same rules', (t) => {
  const addon = require('../../native/index.js') as { ruleNames(): string[] }
  t.deepEqual([...addon.ruleNames()].sort(), RULES.map((r) => r.rule).sort())
})

test('every rule names its per-step scalars the same way, in the same order, in Rust and TypeScript', (t) => {
  const addon = require('../../native/index.js') as { ruleNames(): string[]; ruleScalarNames(): string[][] }
  const rust = new Map(addon.ruleNames().map((name, i) => [name, addon.ruleScalarNames()[i] as string[]]))
  const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  for (const rule of RULES) {
    t.deepEqual(rule.scalars, rust.get(rule.rule)?.map(camel), rule.rule)
    t.is(new Set(rule.scalars).size, rule.scalars.length, `${rule.rule}: names are distinct`)
  }
})

test('no rule reads a per-step scalar by its position', (t) => {
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs')
  const { join } = require('node:path') as typeof import('node:path')
  const root = join(__dirname, '..', '..')
  const sources = [
    ...readdirSync(join(root, 'src', 'optim')).map((f) => join(root, 'src', 'optim', f)),
    ...readdirSync(join(root, 'crates', 'core', 'src', 'rules')).map((f) =>
      join(root, 'crates', 'core', 'src', 'rules', f),
    ),
  ]
  for (const file of sources) {
    // Rust unit tests build raw scalar arrays on purpose: only the code above them counts.
    const code = readFileSync(file, 'utf8').split('#[cfg(test)]')[0] as string
    t.deepEqual(code.match(/\bs\[\d+\]|scalars\[\d+\]|flag\(\d+\)/g) ?? [], [], file)
  }
})
