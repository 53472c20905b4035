import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export interface OutputFile {
  /** Absolute path. */
  file: string;
  render: () => string;
}

export interface WriteResult {
  written: string[];
  errors: string[];
}

/**
 * The one place that writes reports: in the given order (JUnit before HTML, so CI still
 * gets its XML if rendering HTML fails), each atomically (temp file + fsync + rename).
 * A failure is recorded and the next file is still written.
 */
export function writeOutputs(outputs: readonly OutputFile[]): WriteResult {
  const result: WriteResult = {written: [], errors: []};
  for (const output of outputs) {
    try {
      const content = output.render();
      fs.mkdirSync(path.dirname(output.file), {recursive: true});
      // Atomic by rename; no fsync: a report is rewritten by the next run, not worth a disk flush.
      writeFileAtomic.sync(output.file, content, {encoding: 'utf8', fsync: false});
      result.written.push(output.file);
    } catch (error) {
      result.errors.push(`could not write ${output.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return result;
}
