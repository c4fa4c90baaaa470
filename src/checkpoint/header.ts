import { describe } from '../errors.js'
import { CheckpointError } from './checkpoint-error.js'
import { CHECKSUM_KEY, checkpointChecksum } from './checksum.js'
import {
  FORMAT_NAME,
  FORMAT_VERSION,
  METADATA,
  type ModelSection,
  type OptimizerSection,
  type SchedulerSection,
} from './format.js'
import { parseExact } from './json.js'
import type { SafetensorsFile } from './safetensors.js'

/** A checkpoint's metadata, verified against its checksum and parsed. */
export interface Header {
  readonly formatVersion: number
  readonly descentVersion: string
  readonly model?: ModelSection
  readonly optimizer?: OptimizerSection
  readonly scheduler?: SchedulerSection
  readonly extra?: unknown
}

/**
 * Checks what the metadata says the file is (a descent checkpoint, in a version this descent
 * reads) and that the checksum matches everything, then parses the sections.
 */
export function readHeader(where: string, file: SafetensorsFile): Header {
  const m = file.metadata
  const format = m[METADATA.format]
  const checksum = m[CHECKSUM_KEY]
  if (format !== FORMAT_NAME && checksum === undefined) {
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `${where}: this safetensors file is not a descent checkpoint (its metadata has no format '${FORMAT_NAME}')`,
    )
  }
  const versionText = m[METADATA.formatVersion]
  const version = /^[1-9][0-9]{0,8}$/.test(versionText ?? '') ? Number(versionText) : undefined
  const newer = version !== undefined && version > FORMAT_VERSION
  if (checkpointChecksum(m, file.tensors.values()) !== checksum) {
    if (newer) throw newerVersion(where, version, m[METADATA.descentVersion], ' (or it is damaged)')
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `${where}: the checkpoint is damaged: its ${CHECKSUM_KEY} checksum does not match its contents`,
    )
  }
  if (format !== FORMAT_NAME) {
    throw corrupt(where, `its format is ${describe(format)}, expected '${FORMAT_NAME}'`)
  }
  if (version === undefined) throw corrupt(where, `its format_version is ${describe(versionText)}`)
  if (newer) throw newerVersion(where, version, m[METADATA.descentVersion], '')
  const descentVersion = m[METADATA.descentVersion]
  if (typeof descentVersion !== 'string') throw corrupt(where, 'it names no descent_version')
  const section = (key: string) => {
    const text = m[key]
    return text === undefined ? undefined : parseExact(where, key, text)
  }
  const model = section(METADATA.model)
  const optimizer = section(METADATA.optimizer)
  const scheduler = section(METADATA.scheduler)
  const extra = section(METADATA.extra)
  if (model !== undefined) checkModelSection(where, model)
  if (optimizer !== undefined) checkOptimizerSection(where, optimizer)
  if (scheduler !== undefined) checkSchedulerSection(where, scheduler)
  return {
    formatVersion: version,
    descentVersion,
    ...(model === undefined ? {} : { model }),
    ...(optimizer === undefined ? {} : { optimizer }),
    ...(scheduler === undefined ? {} : { scheduler }),
    ...(extra === undefined ? {} : { extra }),
  }
}

function newerVersion(where: string, version: number, by: string | undefined, orDamaged: string) {
  return new CheckpointError(
    'CHECKPOINT_VERSION',
    `${where}: the checkpoint is in format version ${version}${by ? `, written by descent ${by}` : ''}; ` +
      `this descent reads versions up to ${FORMAT_VERSION}${orDamaged}: upgrade descent to load it`,
  )
}

/** A CHECKPOINT_CORRUPT error: the file is intact but not what a descent writer produces. */
export function corrupt(where: string, what: string): CheckpointError {
  return new CheckpointError('CHECKPOINT_CORRUPT', `${where}: the checkpoint is malformed: ${what}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

function checkModelSection(where: string, s: unknown): asserts s is ModelSection {
  if (
    !isRecord(s) ||
    typeof s.class !== 'string' ||
    !isStringArray(s.parameters) ||
    !(s.architecture === undefined || isRecord(s.architecture))
  ) {
    throw corrupt(where, 'its model metadata is not { class, parameters: [names], architecture?: {…} }')
  }
}

function checkOptimizerSection(where: string, s: unknown): asserts s is OptimizerSection {
  const ok =
    isRecord(s) &&
    typeof s.class === 'string' &&
    typeof s.type === 'string' &&
    (s.dtype === 'float32' || s.dtype === 'float64') &&
    Array.isArray(s.param_groups) &&
    s.param_groups.every(isRecord) &&
    isRecord(s.state) &&
    Object.values(s.state).every(isRecord) &&
    typeof s.skipped_steps === 'number' &&
    Array.isArray(s.param_names) &&
    s.param_names.every((n) => n === null || typeof n === 'string')
  if (!ok) throw corrupt(where, 'its optimizer metadata is not laid out as format version 1 says')
}

function checkSchedulerSection(where: string, s: unknown): asserts s is SchedulerSection {
  if (!isRecord(s) || typeof s.class !== 'string' || !isRecord(s.state)) {
    throw corrupt(where, 'its scheduler metadata is not { class, state }')
  }
}
