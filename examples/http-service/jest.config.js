/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'leakwatch',
  reporters: ['default', '@leakwatch/jest-reporter'],
};
