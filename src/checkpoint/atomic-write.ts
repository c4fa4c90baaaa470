import { randomBytes } from 'node:crypto'
import { open, readdir, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new one, whole:
 * write a temp file in the same folder (a rename is atomic only within one file system), fsync
 * it (else the rename could reach the disk before the data), rename it over the target, then
 * fsync the folder (else the rename itself could be lost). A process killed before the rename
 * leaves a temp file named `<file>.tmp-<pid>-<random>`, which the next successful write removes
 * once process <pid> is gone.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(path)
  const temp = join(folder, `${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`)
  pending.add(temp)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  } finally {
    pending.delete(temp)
  }
  await syncFolder(folder)
  await removeStaleTemps(folder, basename(path))
}

const TEMP_MARK = '.tmp-'

/** Temp files this process is writing right now (so cleaning up never takes one of them). */
const pending = new Set<string>()

async function syncFolder(folder: string): Promise<void> {
  // Windows cannot open a folder as a file; NTFS journals renames itself.
  if (process.platform === 'win32') return
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } catch (error) {
    // Some file systems (and FUSE mounts) cannot fsync a folder; the rename happened anyway.
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EPERM') throw error
  } finally {
    await handle.close()
  }
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes temp files of `name` left by writers that died mid-write. Best effort: never throws. */
export async function removeStaleTemps(folder: string, name: string): Promise<string[]> {
  const removed: string[] = []
  const prefix = `${name}${TEMP_MARK}`
  let entries: string[]
  try {
    entries = await readdir(folder)
  } catch {
    return removed
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue
    const match = /^([0-9]+)-[0-9a-f]+$/.exec(entry.slice(prefix.length))
    if (!match) continue
    const pid = Number(match[1])
    const temp = join(folder, entry)
    const stale = pid === process.pid ? !pending.has(temp) : !alive(pid)
    if (
      stale &&
      (await unlink(temp).then(
        () => true,
        () => false,
      ))
    )
      removed.push(entry)
  }
  return removed
}
