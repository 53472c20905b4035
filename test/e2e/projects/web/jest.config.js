/** @type {import('jest').Config} */
module.exports = {
  displayName: 'web',
  testEnvironment: 'leakwatch',
};
