/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'leakwatch',
  reporters: ['default', '@leakwatch/jest-reporter'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/tsconfig.json'}],
  },
};
