// Unit tests of every package, run under Leakwatch's own environment (dogfood).
const fs = require('node:fs');
const path = require('node:path');

const builtEnvironment = path.join(__dirname, 'packages/jest-environment/build/index.js');

/** @type {import('jest').Config} */
const base = {
  // Dogfood: once built, our own environment watches our own unit tests.
  testEnvironment: fs.existsSync(builtEnvironment) ? builtEnvironment : 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/../../tsconfig.test.json', isolatedModules: true}],
  },
  testMatch: ['<rootDir>/src/**/__tests__/**/*.test.ts'],
  moduleNameMapper: {
    '^@leakwatch/core$': '<rootDir>/../core/src/index.ts',
  },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: ['core', 'jest-environment', 'jest-reporter'].map(name => ({
    ...base,
    displayName: name,
    rootDir: path.join(__dirname, 'packages', name),
  })),
};
