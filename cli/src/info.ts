import type { Command } from 'commander'
import { type DescentInfo, info } from 'descent-optim'

/** `descent info [--json]`: version, backend, binary, rayon threads and target triple. */
export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('show the version, the backend in use and the native binary it loaded')
    .option('--json', 'print the report as JSON')
    .action((options: { json?: boolean }) => {
      const report = info()
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInfo(report))
    })
}

function formatInfo(report: DescentInfo): string {
  const binary = report.binaryPath ?? `none (install ${report.platformPackage} for the native backend)`
  const rows: [string, string][] = [
    ['version', report.version],
    ['backend', report.backend],
    ['binary', binary],
    ...(report.nativeLoadError === null
      ? []
      : ([['load error', report.nativeLoadError.split('\n')[0] as string]] as [string, string][])),
    ['target', report.target ?? '-'],
    ['rayon threads', report.rayonThreads === null ? '-' : String(report.rayonThreads)],
    ['node', `${process.version} (${process.platform}-${process.arch})`],
  ]
  return rows.map(([key, value]) => `${key.padEnd(15)}${value}\n`).join('')
}
