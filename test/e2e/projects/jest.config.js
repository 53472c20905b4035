// A monorepo: one Jest run over two projects, each with its own config and rootDir.
/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '@leakwatch/jest-reporter'],
  projects: ['<rootDir>/api', '<rootDir>/web'],
};
