import type {TrackOwner, UnclosedRecord} from './trackResource';

/** What the resource tracker knows about an fd it saw opened. */
export interface FdOrigin {
  stack: string[];
  owner?: TrackOwner;
  path?: string;
}

interface WarningEmitter {
  on(event: 'warning', listener: (warning: Error) => void): unknown;
  off(event: 'warning', listener: (warning: Error) => void): unknown;
}

const FD_WARNING = /Closing file descriptor (\d+) on garbage collection/;

/**
 * Node ≤ 24 closes a FileHandle that is garbage-collected while open and says so with a
 * process warning, "Closing file descriptor N on garbage collection" (then DEP0137, only
 * once). Listens for it and turns each into an `unclosed-gc` record, attributed through
 * `lookupFd` (the tracker's record of who opened fd N). Returns the function that stops
 * listening. (Node ≥ 25 throws ERR_INVALID_STATE from the GC instead; the tracker closing
 * leaked FileHandles at test end is what keeps them from being collected open.)
 */
export function watchFileHandleGc(
  emitter: WarningEmitter,
  onRecord: (record: UnclosedRecord) => void,
  lookupFd: (fd: number) => FdOrigin | undefined = () => undefined,
): () => void {
  const listener = (warning: Error): void => {
    try {
      const match = FD_WARNING.exec(String(warning?.message ?? ''));
      if (!match) return;
      const fd = Number(match[1]);
      const origin = lookupFd(fd);
      const record: UnclosedRecord = {
        resourceType: 'FileHandle',
        stack: origin?.stack ?? [],
        details: {fd, ...(origin?.path ? {path: origin.path} : {}), source: 'node warning'},
      };
      if (origin?.owner) record.owner = origin.owner;
      onRecord(record);
    } catch {
      // A listener on the real process must never throw.
    }
  };
  emitter.on('warning', listener);
  return () => {
    emitter.off('warning', listener);
  };
}
