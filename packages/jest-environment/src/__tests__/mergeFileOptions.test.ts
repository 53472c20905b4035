import {LeakwatchError} from '@leakwatch/core';
import {mergeFileOptions} from '../mergeFileOptions';

describe('mergeFileOptions', () => {
  const project = {severity: {timer: 'error', socket: 'warn'}, ignore: [{kind: 'timer'}], settleMs: 100};

  test('without the pragma, the project options are used as they are', () => {
    expect(mergeFileOptions(project, {})).toBe(project);
  });

  test('objects merge key by key, ignore rules add up, scalars replace', () => {
    const merged = mergeFileOptions(project, {
      leakwatch: '{"severity": {"timer": "warn"}, "ignore": [{"resourceType": "TCPWRAP"}], "settleMs": 0}',
    });
    expect(merged).toEqual({
      severity: {timer: 'warn', socket: 'warn'},
      ignore: [{kind: 'timer'}, {resourceType: 'TCPWRAP'}],
      settleMs: 0,
    });
    expect(project.severity.timer).toBe('error');
  });

  test('repeated pragmas apply in order', () => {
    expect(mergeFileOptions(undefined, {leakwatch: ['{"settleMs": 5}', '{"settleMs": 7, "cleanup": false}']})).toEqual({
      settleMs: 7,
      cleanup: false,
    });
  });

  test('invalid JSON and non-objects are clear errors', () => {
    expect(() => mergeFileOptions(project, {leakwatch: '{severity: warn}'})).toThrow(LeakwatchError);
    expect(() => mergeFileOptions(project, {leakwatch: '{severity: warn}'})).toThrow(
      /the @leakwatch docblock pragma must be a JSON object; received "\{severity: warn\}"/,
    );
    expect(() => mergeFileOptions(project, {leakwatch: '[1]'})).toThrow(/must be a JSON object; received \[1\]/);
  });
});
