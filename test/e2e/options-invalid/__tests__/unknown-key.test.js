/**
 * @jest-environment-options {"leakwatch": {"sevrity": {"timer": "warn"}}}
 */
test('never runs: the options are invalid', () => {});
