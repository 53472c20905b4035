import {renderHangSummary, renderTerminalSummary} from '../renderTerminalSummary';
import {file, finding, HOSTILE, report, sampleReport, test} from './fixtures';

describe('renderTerminalSummary', () => {
  it('lists counts by kind, unknown files, top findings with test and file:line, and where reports are', () => {
    const out = renderTerminalSummary(sampleReport(), {color: false, written: ['leakwatch-report/leakwatch.json']});
    expect(out.split('\n')).toEqual([
      'Leakwatch: 4 findings in 2 of 4 files (timer 2, socket 1, global 1)',
      '  2 files not watched (leak status unknown: other test environment, failed to run or crashed worker)',
      '  ● socket  src/hostile.test.ts › hostile </script><img src=x onerror=alert(1)> › </script><img src=x onerror=alert(1)>  at src/x ]]> <b>.ts:3:1',
      '  ● global  src/poller.test.ts › (file)  at src/cache.ts:5:1',
      '  ● timer  src/poller.test.ts › Poller  at src/poller.ts:42:18',
      '  ● timer  src/poller.test.ts › Poller › starts polling  at src/poller.ts:42:18',
      '  Reports: leakwatch-report/leakwatch.json',
    ]);
  });

  it('says so when there is nothing, and colours only when asked', () => {
    const clean = report([file({tests: [test()]})]);
    expect(renderTerminalSummary(clean, {color: false})).toBe('Leakwatch: no leaks found');
    expect(renderTerminalSummary(clean, {color: true})).toBe('\u001b[1mLeakwatch:\u001b[22m \u001b[32mno leaks found\u001b[39m');
  });

  it('keeps control characters from titles out of the terminal and caps the list', () => {
    const many = report([
      file({leakStatus: 'leaks', tests: Array.from({length: 15}, (_, i) => test({titlePath: [`t${i} ${HOSTILE.control}`], findings: [finding()]}))}),
    ]);
    const out = renderTerminalSummary(many, {color: false});
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(out).toContain('NUL[\\u0000]');
    expect(out.split('\n').filter(line => line.startsWith('  ●'))).toHaveLength(10);
    expect(out).toContain('… and 5 more (see the report)');
  });

  it('renders the hang diagnosis', () => {
    const out = renderHangSummary([finding({resourceType: 'TCPSERVERWRAP', location: {file: 'setup.js', line: 3, column: 0}, stack: ['setup.js:3']})], {color: false, written: ['r/leakwatch.json']});
    expect(out).toBe(
      [
        'Leakwatch: Jest has not exited after the run.',
        '  1 handle keeps the main Jest process alive:',
        '    TCPSERVERWRAP  at setup.js:3:0',
        '      at setup.js:3',
        '  Reports updated: r/leakwatch.json',
      ].join('\n'),
    );
  });
});
