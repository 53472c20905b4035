// End-to-end tests: real Jest CLIs (29 and 30) running the fixture projects in test/e2e/<scenario>/
// with the packed tarballs installed into test/.work/jest<major>/. `npm run build` must have run.
// Also collects the drivers in test/reporter and test/memory (owned by the reporter and memory engineers).
const fs = require('node:fs');
const path = require('node:path');

const builtEnvironment = path.join(__dirname, '../packages/jest-environment/build/index.js');

/** @type {import('jest').Config} */
const base = {
  rootDir: __dirname,
  roots: ['<rootDir>'],
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
  // Packs and installs once; the second project's call finds the install up to date.
  globalSetup: '<rootDir>/helpers/globalSetup.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // Global options (ignored inside projects). Each test spawns one or more real Jest runs.
  testTimeout: 240_000,
  slowTestThreshold: 60,
  // The drivers mostly wait on the Jest runs they spawn; Jest's default (cores - 1) would be 1 here.
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'e2e',
      // Dogfood: once built, Leakwatch watches these drivers too (each awaits the Jest it spawns).
      testEnvironment: fs.existsSync(builtEnvironment) ? builtEnvironment : 'node',
      testMatch: ['<rootDir>/e2e/__tests__/**/*.test.[jt]s', '<rootDir>/helpers/__tests__/**/*.test.[jt]s'],
    },
    {
      ...base,
      displayName: 'e2e:reporter+memory',
      // Their owners choose when to dogfood (the reporter driver keeps Chromium across tests).
      testEnvironment: 'node',
      // Drivers only: fixture projects below (test/memory/<scenario>/__tests__) are not ours to run.
      testMatch: ['<rootDir>/{reporter,memory}/__tests__/**/*.test.[jt]s'],
    },
  ],
};
