#!/usr/bin/env node
import { Command, CommanderError } from 'commander'
import { registerBenchCommand } from './bench.js'
import { registerInfoCommand } from './info.js'
import { registerLrFindCommand } from './lr-find.js'
import { registerSchedulesCommand } from './schedules.js'
import { registerTourCommand } from './tour.js'
import { registerTrajectoriesCommand } from './trajectories.js'
import { cliVersion } from './version.js'

/** One function per command, each in its own file: `(program) => void` adds the command to `program`. */
const COMMANDS: readonly ((program: Command) => void)[] = [
  registerInfoCommand,
  registerTourCommand,
  registerBenchCommand,
  registerSchedulesCommand,
  registerTrajectoriesCommand,
  registerLrFindCommand,
]

/** Builds the `descent` command line. Settings made before the commands are added are inherited by them. */
export function buildProgram(): Command {
  const program = new Command('descent')
    .description('Neural-network optimizers for Node.js')
    .version(cliVersion())
    .exitOverride()
    .showHelpAfterError()
  for (const register of COMMANDS) register(program)
  return program
}

/**
 * Runs the command line. A usage error (unknown command or option) prints the message and the
 * usage to stderr and exits with 2, as Unix tools do; a failing command prints its message
 * (no stack trace) and exits with 1.
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed the message (and --help / --version output, exit code 0).
      process.exitCode = error.exitCode === 0 ? 0 : 2
      return
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
}

if (require.main === module) void main()
