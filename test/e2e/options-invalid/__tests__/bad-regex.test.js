/**
 * @jest-environment-options {"leakwatch": {"ignore": [{"stack": "/(unclosed/"}]}}
 */
test('never runs: the options are invalid', () => {});
