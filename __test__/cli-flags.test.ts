/** The new commands' flags: help, and bad values rejected with usage and exit code 2, never a stack trace. */
import test from 'ava'
import { integerList } from '../cli/src/flags.js'
import { descent } from './helpers/cli.js'

const badFlags: [string, string[], RegExp][] = [
  ['bench --epochs 0', ['bench', '--epochs', '0'], /--epochs <n>.* is invalid\. expected an integer >= 1/],
  ['bench --epochs 2.5', ['bench', '--epochs', '2.5'], /expected an integer >= 1/],
  ['bench --sizes 10,x', ['bench', '--sizes', '10,x'], /--sizes <list>.* is invalid/],
  ['bench --sizes ""', ['bench', '--sizes', ''], /comma-separated list of integers/],
  ['bench --optimizers adam,adamm', ['bench', '--optimizers', 'adam,adamm'], /unknown: adamm/],
  [
    'bench --backends gpu',
    ['bench', '--backends', 'gpu'],
    /unknown: gpu; expected a comma-separated list of native, js, tfjs/,
  ],
  ['bench --repeats -1', ['bench', '--repeats', '-1'], /--repeats <n>.* is invalid/],
  ['bench --seed abc', ['bench', '--seed', 'abc'], /expected an integer in \[0, 2\^32\)/],
  ['bench --seed 4294967296', ['bench', '--seed', '4294967296'], /expected an integer in \[0, 2\^32\)/],
  ['bench --data spirals', ['bench', '--data', 'spirals'], /Allowed choices are blobs, random/],
  ['bench --datasets cifar', ['bench', '--datasets', 'cifar'], /unknown: cifar/],
  ['bench --json (no file)', ['bench', '--json'], /option '--json <file>' argument missing/],
  ['tour --seed -1', ['tour', '--seed', '-1'], /--seed <n>.* is invalid/],
  ['tour with an argument', ['tour', 'now'], /too many arguments/],
  ['tour --fast', ['tour', '--fast'], /unknown option '--fast'/],
  [
    'trajectories --functions himmelblau',
    ['trajectories', '--functions', 'himmelblau'],
    /unknown: himmelblau/,
  ],
  ['trajectories --steps 0', ['trajectories', '--steps', '0'], /expected an integer >= 1/],
  ['schedules --out (no dir)', ['schedules', '--out'], /option '--out <dir>' argument missing/],
  ['schedules --bogus', ['schedules', '--bogus'], /unknown option '--bogus'/],
]

for (const [what, args, message] of badFlags) {
  test(`${what}: message and usage on stderr, exit code 2, no stack trace`, async (t) => {
    const result = await descent(...args)
    t.is(result.status, 2, result.stderr)
    t.is(result.stdout, '')
    t.regex(result.stderr, message)
    t.regex(result.stderr, /Usage: descent \w+ \[options\]/)
    t.notRegex(result.stderr, /\n\s+at /)
  })
}

const helps: [string, RegExp[]][] = [
  ['tour', [/--quick/, /--seed <n>/, /--out <dir>/, /--quiet/]],
  [
    'bench',
    [
      /--optimizers <list>/,
      /--sizes <list>/,
      /--epochs <n>/,
      /--backends <list>/,
      /--repeats <n>/,
      /--seed <n>/,
      /--json <file>/,
      /--out <dir>/,
    ],
  ],
  ['trajectories', [/--optimizers <list>/, /--functions <list>/, /--steps <n>/]],
  ['schedules', [/--out <dir>/, /default:\s+"\.\/descent-report"/]],
]

for (const [command, flags] of helps) {
  test(`descent ${command} --help lists its flags and exits 0`, async (t) => {
    const result = await descent(command, '--help')
    t.is(result.status, 0)
    for (const flag of flags) t.regex(result.stdout, flag)
  })
}

test('--sizes drops repeated sizes, keeping the order', (t) => {
  t.deepEqual(integerList('10,10,50,10'), [10, 50])
  t.deepEqual(integerList(' 7 ,3'), [7, 3])
})

test('descent --help lists the new commands', async (t) => {
  const result = await descent('--help')
  for (const command of ['tour', 'bench', 'trajectories', 'schedules', 'lr-find'])
    t.regex(result.stdout, new RegExp(`^  ${command} `, 'm'))
})
