// sql.js keeps the whole database in memory and rewrites the file on every change, so two processes
// on one file silently erase each other's writes. A lock file with the owner's pid keeps it to one.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class DatabaseInUseError extends Error {}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<file>.lock` for this process (a stale lock of a dead process is taken over); returns the release. */
export function lockSqliteFile(file: string): () => void {
  const lock = `${file}.lock`;
  const me = String(process.pid);
  mkdirSync(dirname(lock), { recursive: true });
  try {
    writeFileSync(lock, me, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (owner && owner !== process.pid && isRunning(owner)) {
      throw new DatabaseInUseError(
        `The SQLite database ${file} is in use by another Tessera process (pid ${owner}). ` +
          'SQLite serves one process at a time: stop the server before running this command, ' +
          'or use MySQL/MariaDB (DATABASE_URL=mysql://…) to run several.',
      );
    }
    writeFileSync(lock, me);
  }
  const release = () => {
    try {
      if (readFileSync(lock, 'utf8') === me) unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  process.once('exit', release);
  return release;
}
