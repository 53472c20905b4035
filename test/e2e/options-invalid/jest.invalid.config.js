// Run with --config jest.invalid.config.js: an invalid value in the project configuration.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'leakwatch',
  reporters: ['default', '@leakwatch/jest-reporter'],
  testEnvironmentOptions: {
    leakwatch: {severity: {timer: 'loud'}},
  },
};
