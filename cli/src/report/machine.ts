import { cpus, totalmem } from 'node:os'

/** The machine a report was made on, so numbers can be compared only with like. */
export interface Machine {
  /** CPU model as the OS names it, e.g. `AMD EPYC 7B13`. */
  cpu: string
  /** Logical cores Node sees. */
  cores: number
  /** Total memory in GiB, one decimal. */
  memoryGiB: number
  platform: string
  arch: string
  /** Node's version, e.g. `v20.20.2`. */
  node: string
}

/** Describes this machine. */
export function thisMachine(): Machine {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() || 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
  }
}

/** One line naming the machine, e.g. `AMD EPYC 7B13, 2 cores, 7.8 GiB, linux-x64, Node v20.20.2`. */
export function describeMachine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}-${machine.arch}, Node ${machine.node}`
}
