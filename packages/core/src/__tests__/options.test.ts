import {DEFAULT_SEVERITY, resolveOptions, settleBudget} from '../options';
import {LeakwatchError} from '../errors';

function errorOf(input: unknown): LeakwatchError {
  try {
    resolveOptions(input);
  } catch (error) {
    if (error instanceof LeakwatchError) return error;
    throw error;
  }
  throw new Error('expected resolveOptions to throw');
}

describe('resolveOptions', () => {
  test('fills documented defaults', () => {
    const options = resolveOptions(undefined);
    expect(options).toMatchObject({
      severity: DEFAULT_SEVERITY,
      ignore: [],
      settleMs: 200,
      settleMsByKind: {},
      cleanup: true,
      reportUnref: false,
      outputDir: undefined,
      stackDepth: 12,
      raw: {},
    });
    expect(options.severity.timer).toBe('error');
    expect(options.severity.memory).toBe('warn');
  });

  test('an unknown key names the valid keys', () => {
    const error = errorOf({setleMs: 5});
    expect(error.code).toBe('LW_UNKNOWN_OPTION');
    expect(error.message).toMatch(/unknown option "setleMs"\. Valid options are: severity, ignore, settleMs,/);
  });

  test('a wrong type names the key, the value and the expected type', () => {
    expect(errorOf({settleMs: '100'}).message).toBe(
      'Leakwatch: option "settleMs" must be a non-negative number; received "100".',
    );
    expect(errorOf({cleanup: 'yes'}).message).toBe('Leakwatch: option "cleanup" must be a boolean; received "yes".');
    expect(errorOf({severity: {timer: 'fatal'}}).message).toBe(
      'Leakwatch: option "severity.timer" must be one of "error", "warn", "off"; received "fatal".',
    );
    expect(errorOf({severity: {timers: 'warn'}}).message).toMatch(/option "severity.timers" must be one of "timer", "server"/);
    expect(errorOf({stackDepth: 0}).message).toMatch(/"stackDepth" must be an integer from 1 to 100; received 0/);
    expect(errorOf([]).message).toMatch(/option "leakwatch" must be an object; received \[\]/);
  });

  test('invalid ignore rules are named by index', () => {
    expect(errorOf({ignore: [{stack: '/(unclosed/'}]}).message).toMatch(
      /option "ignore\[0\]\.stack" is not a valid regular expression: "\/\(unclosed\/"/,
    );
    expect(errorOf({ignore: [{kind: 'timer'}, {type: 'Timeout'}]}).message).toMatch(
      /unknown key "type" in option "ignore\[1\]"\. Valid keys are: kind, resourceType, stack, topFunction, reason/,
    );
    expect(errorOf({ignore: [{reason: 'noise'}]}).message).toMatch(/option "ignore\[0\]" matches everything/);
    expect(errorOf({ignore: [{kind: ['timer', 'sockets']}]}).message).toMatch(/option "ignore\[0\]\.kind\[1\]" must be one of/);
    expect(errorOf({ignore: {kind: 'timer'}}).message).toMatch(/option "ignore" must be an array of ignore rules/);
  });

  test('keeps the validated input for the report', () => {
    const input = {severity: {socket: 'warn'}, ignore: [{resourceType: ['Timeout'], reason: 'polling'}], settleMsByKind: {server: 500}};
    const options = resolveOptions(input);
    expect(options.raw).toEqual(input);
    expect(options.severity.socket).toBe('warn');
    expect(options.settleMsByKind).toEqual({server: 500});
    expect(options.ignore[0]!.resourceTypes).toEqual(new Set(['Timeout']));
  });
});

describe('memory and state options', () => {
  test('defaults, off switches and valid values', () => {
    expect(resolveOptions({}).memory).toMatchObject({perFile: true, perTest: false, topN: 10});
    expect(resolveOptions({memory: false}).memory).toMatchObject({perFile: false, perTest: false});
    expect(resolveOptions({memory: {perTest: true, topN: 3, growthThresholdBytes: 1024}}).memory).toMatchObject({perTest: true, topN: 3, growthThresholdBytes: 1024});
    expect(resolveOptions({state: {allowGlobals: ['__APP_*']}}).state).toEqual({enabled: true, allowGlobals: ['__APP_*']});
    expect(resolveOptions({state: false}).state).toEqual({enabled: false, allowGlobals: []});
  });

  test('errors name the nested key, the value and what is valid', () => {
    expect(errorOf({memory: {perTst: true}}).message).toMatch(/^Leakwatch: unknown option "memory\.perTst"\. Valid options are: perTest, growthThresholdBytes,/);
    expect(errorOf({memory: {topN: 0}}).message).toBe('Leakwatch: option "memory.topN" must be an integer from 1 to 1000; received 0.');
    expect(errorOf({memory: {growthThresholdBytes: '24MB'}}).message).toBe(
      'Leakwatch: option "memory.growthThresholdBytes" must be a non-negative number of bytes, e.g. 33554432 for 32 MiB; received "24MB".',
    );
    expect(errorOf({memory: {heapDiff: 'yes'}}).message).toBe('Leakwatch: option "memory.heapDiff" must be a boolean; received "yes".');
    expect(errorOf({memory: 'on'}).message).toMatch(/option "memory" must be a boolean or an object with any of perTest,/);
    expect(errorOf({state: {allow: []}}).message).toBe('Leakwatch: unknown option "state.allow". Valid options are: allowGlobals.');
    expect(errorOf({state: {allowGlobals: 'x'}}).message).toMatch(/option "state\.allowGlobals" must be an array of global names/);
  });
});

describe('settleBudget', () => {
  test('servers and sockets get a short grace unless settleMsByKind names them; other kinds the settle budget', () => {
    const defaults = resolveOptions({});
    expect(['timer', 'server', 'socket', 'process', 'file'].map(kind => settleBudget(defaults, kind as never))).toEqual([200, 25, 25, 200, 200]);
    const tuned = resolveOptions({settleMs: 10, settleMsByKind: {server: 500}});
    expect(['timer', 'server', 'socket'].map(kind => settleBudget(tuned, kind as never))).toEqual([10, 500, 10]);
  });
});
