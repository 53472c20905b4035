import * as path from 'node:path';
import type {JestEnvironmentConfig} from '@jest/environment';
import {RUN_DIR_ENV, resolveOptions} from '@leakwatch/core';
import {findRunDir} from '../LeakwatchEnvironment';

function config(reporters: unknown[]): JestEnvironmentConfig {
  return {
    globalConfig: {rootDir: '/repo', reporters},
    projectConfig: {rootDir: '/repo/app', cacheDirectory: '/tmp/jest-cache'},
  } as unknown as JestEnvironmentConfig;
}

describe('findRunDir', () => {
  const saved = process.env[RUN_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[RUN_DIR_ENV];
    else process.env[RUN_DIR_ENV] = saved;
  });

  test('the directory the reporter published wins', () => {
    process.env[RUN_DIR_ENV] = '/elsewhere/run';
    expect(findRunDir(config([]), resolveOptions({}))).toBe('/elsewhere/run');
  });

  test("else the Leakwatch reporter's outputDir from the Jest config", () => {
    delete process.env[RUN_DIR_ENV];
    const reporters = [['default', {}], ['/repo/node_modules/@leakwatch/jest-reporter/dist/index.js', {outputDir: 'out/lw'}]];
    expect(findRunDir(config(reporters), resolveOptions({}))).toBe(path.join('/repo/out/lw', '.sidecars'));
    expect(findRunDir(config([['/repo/node_modules/@leakwatch/jest-reporter/dist/index.js', {}]]), resolveOptions({}))).toBe(
      path.join('/repo/leakwatch-report', '.sidecars'),
    );
  });

  test("else the environment's own outputDir, else the cache directory", () => {
    delete process.env[RUN_DIR_ENV];
    expect(findRunDir(config([['default', {}]]), resolveOptions({outputDir: 'reports'}))).toBe(path.join('/repo/app/reports', '.sidecars'));
    expect(findRunDir(config([['default', {}]]), resolveOptions({}))).toBe(path.join('/tmp/jest-cache', 'leakwatch'));
  });
});
