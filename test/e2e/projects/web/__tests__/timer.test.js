test('web leaks a timer', () => {
  setInterval(() => {}, 60_000); // LEAK:projects.web-timer
});

test('web is clean', () => {});
