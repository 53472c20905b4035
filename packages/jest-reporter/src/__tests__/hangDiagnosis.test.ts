import {entriesToFindings, normalizeActiveType, parseWhyOutput, uncapturedFindings} from '../hangDiagnosis';

// What why-is-node-running 3.2 logs (lines as passed to logger.error).
const OUTPUT = [
  'There are 4 handle(s) keeping the process running.',
  '',
  '# TCPSERVERWRAP',
  'global-teardown.js:4                               - server.listen(0);',
  '/work/x/node_modules/@jest/core/build/index.js:3600',
  '',
  '# Timeout',
  'global-teardown.js:5 - setTimeout(() => server.close(), 3000);',
  '',
  '# PIPEWRAP',
  '../../node_modules/@jest/reporters/build/index.js:94',
  '',
  '# TTYWRAP',
  'global-teardown.js:9',
  '',
  '# PROCESSWRAP',
  '(unknown stack trace)',
];

describe('hang diagnosis', () => {
  it('parses why-is-node-running output into typed entries', () => {
    expect(parseWhyOutput(OUTPUT)).toEqual([
      {type: 'TCPSERVERWRAP', frames: ['global-teardown.js:4                               - server.listen(0);', '/work/x/node_modules/@jest/core/build/index.js:3600']},
      {type: 'Timeout', frames: ['global-teardown.js:5 - setTimeout(() => server.close(), 3000);']},
      {type: 'PIPEWRAP', frames: ['../../node_modules/@jest/reporters/build/index.js:94']},
      {type: 'TTYWRAP', frames: ['global-teardown.js:9']},
      {type: 'PROCESSWRAP', frames: []},
    ]);
  });

  it('keeps user resources with their creation line, drops Jest machinery, terminals and stackless entries', () => {
    const findings = entriesToFindings(parseWhyOutput(OUTPUT), '/repo', '/repo');
    expect(findings.map(f => [f.kind, f.resourceType, f.location, f.stack])).toEqual([
      ['server', 'TCPSERVERWRAP', {file: 'global-teardown.js', line: 4, column: 0}, ['global-teardown.js:4 (server.listen(0);)']],
      ['timer', 'Timeout', {file: 'global-teardown.js', line: 5, column: 0}, ['global-teardown.js:5 (setTimeout(() => server.close(), 3000);)']],
    ]);
    expect(findings.every(f => f.severity === 'error' && f.scope === 'file' && f.details.process === 'main')).toBe(true);
  });

  it('lists alive resources without a captured stack (globalSetup) by type, minus captured ones and stdio', () => {
    expect(normalizeActiveType('TCPSocketWrap')).toBe('TCPWRAP');
    const active = ['TCPServerWrap', 'TCPServerWrap', 'Timeout', 'PipeWrap', 'PipeWrap', 'TTYWrap', 'FSReqCallback'];
    const findings = uncapturedFindings(active, ['TCPSERVERWRAP'], ['PIPEWRAP', 'PIPEWRAP']);
    expect(findings.map(f => [f.kind, f.resourceType, f.details.count])).toEqual([
      ['server', 'TCPSERVERWRAP', 1],
      ['timer', 'Timeout', 1],
    ]);
    expect(findings[0]?.message).toContain('created before Leakwatch');
    expect(uncapturedFindings(['PipeWrap', 'TTYWrap'], [], ['PIPEWRAP'])).toEqual([]);
  });
});
