const {watchState} = require('@leakwatch/core');

const registry = {plugins: ['core'], settings: {mode: 'strict'}};
watchState('plugin registry', () => registry);

test('registers a plugin and never unregisters it', () => {
  registry.plugins.push('telemetry');
});

test('changes a setting and restores it', () => {
  const saved = registry.settings.mode;
  registry.settings.mode = 'loose';
  registry.settings.mode = saved;
});
