import * as vm from 'node:vm';
import {isRunnerHook} from '../LeakwatchEnvironment';

describe('isRunnerHook', () => {
  const context = vm.createContext({});
  // As jest-circus passes it: an argument, so no inferred name.
  const anonymous = (fn: () => void): (() => void) => fn;
  const runnerFn = anonymous(() => undefined);

  test("jest-circus's own beforeEach: an anonymous function of the runner's realm", () => {
    expect(runnerFn.name).toBe('');
    expect(isRunnerHook({type: 'beforeEach', fn: runnerFn})).toBe(true);
  });

  test("test code's hooks come from the vm context, even anonymous ones", () => {
    const fromTestFile = vm.runInContext('(() => () => undefined)()', context) as () => void;
    expect(fromTestFile.name).toBe('');
    expect(isRunnerHook({type: 'beforeEach', fn: fromTestFile})).toBe(false);
  });

  test('a core-module function bound in test code is named, so it is wrapped', () => {
    const server = {close() {}};
    expect(isRunnerHook({type: 'beforeEach', fn: server.close.bind(server)})).toBe(false);
  });

  test('only beforeEach: other hook types are always wrapped', () => {
    for (const type of ['afterEach', 'beforeAll', 'afterAll']) expect(isRunnerHook({type, fn: runnerFn})).toBe(false);
  });
});
