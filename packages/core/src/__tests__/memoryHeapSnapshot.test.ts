import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {diffHeapSummaries, summarizeSnapshot} from '../memory/heapSnapshot';

describe('heap snapshot comparison', () => {
  test('summarizeSnapshot groups nodes by constructor or type', () => {
    const summary = summarizeSnapshot({
      snapshot: {meta: {node_fields: ['type', 'name', 'id', 'self_size'], node_types: [['object', 'string', 'synthetic', 'closure']]}},
      // type, name, id, self_size
      nodes: [0, 0, 1, 32, 0, 0, 3, 32, 1, 1, 5, 20, 2, 2, 7, 0, 3, 3, 9, 64],
      strings: ['Foo', 'hello', '(root)', 'fn'],
    });
    expect([...summary]).toEqual([
      ['Foo', {count: 2, bytes: 64}],
      ['(string)', {count: 1, bytes: 20}],
      ['(closure)', {count: 1, bytes: 64}],
    ]);
  });

  // A child process keeps the heap small: snapshots of this Jest worker (TypeScript
  // loaded by ts-jest) take tens of seconds.
  test('real snapshots: the diff names the constructor that grew', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-heap-test-'));
    try {
      const script = `
        const v8 = require('v8');
        class LeakyConnection { constructor(id) { this.id = id; this.payload = [id, id, id]; } }
        v8.writeHeapSnapshot(${JSON.stringify(join(dir, 'before.heapsnapshot'))});
        globalThis.kept = Array.from({length: 3000}, (_, i) => new LeakyConnection(i));
        v8.writeHeapSnapshot(${JSON.stringify(join(dir, 'after.heapsnapshot'))});`;
      execFileSync(process.execPath, ['-e', script]);
      const read = (name: string) => summarizeSnapshot(JSON.parse(readFileSync(join(dir, name), 'utf8')));
      const top = diffHeapSummaries(read('before.heapsnapshot'), read('after.heapsnapshot'), 5);
      const entry = top.find(e => e.constructor === 'LeakyConnection');
      expect(entry).toEqual({constructor: 'LeakyConnection', count: 3000, bytes: expect.any(Number)});
      expect(entry!.bytes).toBeGreaterThanOrEqual(3000 * 16);
      expect(top.length).toBeLessThanOrEqual(5);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  test('diffHeapSummaries keeps only growth, largest first', () => {
    const before = new Map([['A', {count: 1, bytes: 100}], ['B', {count: 5, bytes: 500}]]);
    const after = new Map([['A', {count: 3, bytes: 300}], ['B', {count: 1, bytes: 100}], ['C', {count: 10, bytes: 1000}]]);
    expect(diffHeapSummaries(before, after, 10)).toEqual([
      {constructor: 'C', count: 10, bytes: 1000},
      {constructor: 'A', count: 2, bytes: 200},
    ]);
  });
});
