/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'leakwatch',
  reporters: ['default', '@leakwatch/jest-reporter'],
  // Every testEnvironmentOptions key becomes a sandbox global: `appConfig` may change freely.
  testEnvironmentOptions: {leakwatch: {}, appConfig: {retries: 1}},
};
