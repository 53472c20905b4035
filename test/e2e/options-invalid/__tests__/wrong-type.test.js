/**
 * @jest-environment-options {"leakwatch": {"settleMs": "fast"}}
 */
test('never runs: the options are invalid', () => {});
