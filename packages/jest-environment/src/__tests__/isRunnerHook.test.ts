import * as vm from 'node:vm';
import {isRunnerHook} from '../LeakwatchEnvironment';

type Hook = {type: string; fn: unknown; parent?: {parent?: unknown; hooks: unknown[]}};

/** A hook as circus registers it: appended to its block's hooks. */
function addHook(block: {parent?: unknown; hooks: unknown[]}, type: string, fn: unknown): Hook {
  const hook = {type, fn, parent: block};
  block.hooks.push(hook);
  return hook;
}

describe('isRunnerHook', () => {
  const context = vm.createContext({});
  // As jest-circus passes it: an argument, so no inferred name.
  const anonymous = (fn: () => void): (() => void) => fn;
  const runnerFn = anonymous(() => undefined);
  const fromTestFile = vm.runInContext('(() => () => undefined)()', context) as () => void;

  test("jest-circus's own beforeEach: the root block's first hook, anonymous, of the runner's realm", () => {
    const root = {hooks: [] as unknown[]};
    expect(runnerFn.name).toBe('');
    expect(isRunnerHook(addHook(root, 'beforeEach', runnerFn))).toBe(true);
  });

  test("test code's hooks come from the vm context, even anonymous ones", () => {
    const root = {hooks: [] as unknown[]};
    expect(fromTestFile.name).toBe('');
    expect(isRunnerHook(addHook(root, 'beforeEach', fromTestFile))).toBe(false);
  });

  test('a core-module function passed by test code is named, bound ones too', () => {
    const root = {hooks: [] as unknown[]};
    const server = {close() {}};
    expect(isRunnerHook(addHook(root, 'beforeEach', server.close.bind(server)))).toBe(false);
  });

  test('an anonymous function of the runner realm registered later or in a describe block is not the runner hook', () => {
    const root = {hooks: [] as unknown[]};
    addHook(root, 'beforeEach', runnerFn);
    expect(isRunnerHook(addHook(root, 'beforeEach', anonymous(() => undefined)))).toBe(false);
    const block = {parent: root, hooks: [] as unknown[]};
    expect(isRunnerHook(addHook(block, 'beforeEach', anonymous(() => undefined)))).toBe(false);
  });

  test('only beforeEach: other hook types are always wrapped', () => {
    for (const type of ['afterEach', 'beforeAll', 'afterAll']) expect(isRunnerHook(addHook({hooks: []}, type, runnerFn))).toBe(false);
  });
});
