// End-to-end tests: real Jest CLIs (29 and 30) running the fixture projects in test/e2e/<scenario>/
// with the packed tarballs installed into test/.work/jest<major>/. `npm run build` must have run.
// Also collects test/reporter and test/memory (owned by the reporter and memory engineers).
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  displayName: 'e2e',
  // The driver is plain Node; the fixtures are what runs under Leakwatch.
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: [
    '<rootDir>/e2e/__tests__/**/*.test.[jt]s',
    '<rootDir>/helpers/__tests__/**/*.test.[jt]s',
    // Drivers only: fixture projects below (test/memory/<scenario>/__tests__) are not ours to run.
    '<rootDir>/{reporter,memory}/__tests__/**/*.test.[jt]s',
  ],
  // Fixture projects and the scratch installs are not part of this project's module map.
  modulePathIgnorePatterns: ['<rootDir>/\\.work/', '<rootDir>/(e2e|memory)/(?!__tests__/)[^/]+/', '<rootDir>/reporter/fixtures/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/\\.work/'],
  watchPathIgnorePatterns: ['<rootDir>/\\.work/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: path.join(__dirname, '../tsconfig.test.json')}],
  },
  moduleNameMapper: {
    '^@leakwatch/core$': '<rootDir>/../packages/core/src/index.ts',
  },
  globalSetup: '<rootDir>/helpers/globalSetup.ts',
  // Each test spawns one or more real Jest runs.
  testTimeout: 240_000,
  slowTestThreshold: 60,
  // The drivers mostly wait on the Jest runs they spawn; Jest's default (cores - 1) would be 1 here.
  maxWorkers: 2,
};
