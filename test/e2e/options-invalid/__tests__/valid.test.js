test('runs: this file has no invalid options', () => {
  expect(1 + 1).toBe(2);
});
