/** @type {import('jest').Config} */
module.exports = {
  displayName: 'api',
  testEnvironment: 'leakwatch',
};
