/**
 * Atomic file writes: the bytes go to a temporary file in the target's directory, are flushed to
 * disk (fsync), and the temporary file is renamed over the target. A rename within one directory
 * is atomic, so a crash or an error mid-write leaves the previous file whole.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { TensileError, tensileError } from "../core/errors.js";

/**
 * The chunks of a file, produced lazily so large tensors are read one at a time; a producer may
 * throw, which abandons the write.
 */
export type ChunkSource = () => Iterable<Uint8Array>;

/** The temporary path a write to `path` goes through: hidden, unique, in the same directory. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
}

/** Turns a system error into `[where] could not write <path>: ...`; Tensile errors pass through. */
function writeError(err: unknown, where: string, path: string): Error {
  if (err instanceof TensileError) return err;
  const e = tensileError(where, `could not write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  e.cause = err;
  return e;
}

/** Writes every chunk to `path` atomically (temp file, fsync, rename, then fsync of the directory). */
export async function writeFileAtomic(path: string, chunks: ChunkSource, where: string): Promise<void> {
  const tmp = tempPathFor(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, "wx");
    for (const chunk of chunks()) {
      // FileHandle.write may write fewer bytes than asked; loop until the chunk is out.
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw writeError(err, where, path);
  }
  await syncDirectory(dirname(path));
}

/** Synchronous twin of `writeFileAtomic`. */
export function writeFileAtomicSync(path: string, chunks: ChunkSource, where: string): void {
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    for (const chunk of chunks()) {
      let done = 0;
      while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing: report the first error */ }
    }
    try { unlinkSync(tmp); } catch { /* the temp file may not exist */ }
    throw writeError(err, where, path);
  }
  syncDirectorySync(dirname(path));
}

/** Flushes the directory entry of the rename; some platforms (Windows) cannot open directories, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // The data itself is already durable; only the rename's durability is best effort here.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Best effort, as in syncDirectory.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
