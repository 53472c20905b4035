import {captureStack, readStack, stackOrigins} from '../tracker/stack';

function createdHere() {
  return captureStack(10, createdHere);
}

/** The frame the capture starts at (createdHere itself is left out). */
function userCode() {
  return createdHere();
}

describe('captured stacks', () => {
  const installed = Error.prepareStackTrace;
  afterEach(() => {
    (Error as {prepareStackTrace?: unknown}).prepareStackTrace = installed;
  });

  test("origins come from the call sites without running the installed formatter; the text is formatted once, by it", () => {
    const calls: number[] = [];
    Error.prepareStackTrace = (error, sites) => {
      calls.push(sites.length);
      return `Mapped\n${sites.map(site => `    at ${site.getFunctionName() ?? '<anonymous>'} (${site.getFileName()}:1:1)`).join('\n')}`;
    };
    const holder = userCode();

    const origins = stackOrigins(holder)!;
    expect(calls).toEqual([]);
    expect(origins[0]).toBe('user'); // this test file
    expect(origins).toContain('tool'); // jest-circus calling it

    const text = readStack(holder);
    expect(calls).toHaveLength(1);
    expect(text.split('\n')[1]).toBe(`    at userCode (${__filename}:1:1)`);
    expect(holder.functionNames?.[0]).toBe('userCode');
    expect(readStack(holder)).toBe(text);
    expect(calls).toHaveLength(1);
    // The call sites (which hold each frame's function and receiver) are let go.
    expect(holder.sites).toBeUndefined();
  });

  test('without a formatter of its own realm, Node formats the text (and origins come from it)', () => {
    delete (Error as {prepareStackTrace?: unknown}).prepareStackTrace;
    const holder = createdHere();
    expect(stackOrigins(holder)).toBeUndefined();
    expect(readStack(holder)).toContain('stack.test.ts');
  });
});
