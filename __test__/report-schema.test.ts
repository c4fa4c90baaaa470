/**
 * results.json's schema (cli/src/report/results.schema.json): it accepts what the writer produces
 * and rejects documents that break it, so the schema documents something real.
 */
import test from 'ava'
import { NO_PNG_NOTE, resultsDocument, toJson } from '../cli/src/report/write-report.js'
import { schemaErrors } from './helpers/results-schema.js'

function sample(): Record<string, unknown> {
  return JSON.parse(
    toJson(
      resultsDocument({
        command: 'bench',
        title: 'a bench',
        settings: { sizes: [10] },
        summary: ['one finding'],
        charts: [
          {
            id: 'loss',
            title: 'loss',
            caption: 'curves',
            data: [
              { epoch: 1, loss: 0.5, optimizer: 'adam' },
              { epoch: 2, loss: Number.NaN, optimizer: 'adam' },
            ],
            spec: {},
          } as never,
        ],
        tables: [
          {
            id: 't',
            title: 'table',
            columns: ['a', 'b'],
            rows: [
              ['x', 1],
              ['y', null],
            ],
          },
        ],
        bench: {
          runs: [
            {
              optimizer: 'adam',
              size: 10,
              backend: 'native',
              repeats: 3,
              finalLoss: Number.POSITIVE_INFINITY,
              minLoss: 0.1,
              trainingTimeMs: 12.5,
              epochsToConverge: 7,
              lossHistory: [1, 0.5, Number.NaN],
            },
          ],
          targets: [
            {
              dataset: 'iris',
              optimizer: 'adam',
              backend: 'js',
              repeats: 3,
              targetAccuracy: 0.95,
              maxEpochs: 100,
              epochsToTarget: null,
              timeToTargetMs: null,
              finalTestAccuracy: 0.9,
            },
          ],
          skipped: [{ backend: 'tfjs', reason: 'not installed' }],
        },
      }),
    ),
  )
}

test('a document as the writer makes it is valid; non-finite numbers are written as null', (t) => {
  const document = sample()
  t.is(schemaErrors(document), '')
  const bench = document.bench as { runs: { finalLoss: unknown; lossHistory: unknown[] }[] }
  t.is(bench.runs[0]?.finalLoss, null)
  t.is(bench.runs[0]?.lossHistory[2], null)
})

test('a report without PNGs (resvg missing) is valid, with png null and a note in the summary', (t) => {
  const document = JSON.parse(
    toJson(
      resultsDocument(
        { command: 'schedules', title: 't', settings: {}, summary: [], charts: [], tables: [] },
        false,
      ),
    ),
  )
  t.is(schemaErrors(document), '')
  t.deepEqual(document.summary, [NO_PNG_NOTE])
  const withChart = sample()
  ;(withChart.charts as { png: unknown }[])[0] = { ...(withChart.charts as object[])[0], png: null }
  t.is(schemaErrors(withChart), '')
})

const broken: [string, (d: Record<string, unknown>) => void, RegExp][] = [
  ['an unknown command', (d) => (d.command = 'plot'), /allowed values/],
  ['a missing machine', (d) => delete d.machine, /must have required property 'machine'/],
  ['a wrong schema version', (d) => (d.schemaVersion = 2), /must be equal to constant/],
  ['a date that is not ISO 8601', (d) => (d.createdAt = 'yesterday'), /must match pattern/],
  ['an extra top-level field', (d) => (d.extra = 1), /must NOT have additional properties/],
  [
    'a chart without its PNG',
    (d) => delete (d.charts as Record<string, unknown>[])[0]?.png,
    /required property 'png'/,
  ],
  [
    'a chart row holding an object',
    (d) => {
      ;(d.charts as { data: unknown[] }[])[0]?.data.push({ nested: { a: 1 } })
    },
    /must be string,number,null/,
  ],
  [
    'a table cell that is a boolean',
    (d) => {
      ;(d.tables as { rows: unknown[][] }[])[0]?.rows.push([true, 1])
    },
    /must be string,number,null/,
  ],
  [
    'a bench run on an unknown backend',
    (d) => (((d.bench as { runs: { backend: string }[] }).runs[0] as { backend: string }).backend = 'gpu'),
    /allowed values/,
  ],
  [
    'a target accuracy above 1',
    (d) =>
      ((
        (d.bench as { targets: { targetAccuracy: number }[] }).targets[0] as { targetAccuracy: number }
      ).targetAccuracy = 95),
    /must be <= 1/,
  ],
]

for (const [what, breakIt, message] of broken) {
  test(`the schema rejects ${what}`, (t) => {
    const document = sample()
    breakIt(document)
    t.regex(schemaErrors(document), message)
  })
}
