import {REPORTER_DEFAULTS, resolveReporterOptions} from '../options';

describe('resolveReporterOptions', () => {
  it('gives the documented defaults', () => {
    expect(resolveReporterOptions(undefined)).toEqual({
      outputDir: 'leakwatch-report',
      json: 'leakwatch.json',
      junit: 'junit.xml',
      html: 'report.html',
      junitProfile: 'strict',
      suiteNameTemplate: '{filepath}',
      classNameTemplate: '{describe}',
      title: 'Leakwatch report',
      quiet: false,
      hangDiagnosis: true,
      hangGraceMs: 1000,
    });
    expect(resolveReporterOptions({})).toEqual(REPORTER_DEFAULTS);
  });

  it('accepts booleans and file names for each output', () => {
    const resolved = resolveReporterOptions({json: false, junit: 'ci/results.xml', html: true});
    expect(resolved.json).toBe(false);
    expect(resolved.junit).toBe('ci/results.xml');
    expect(resolved.html).toBe('report.html');
  });

  it('names the valid keys for an unknown key', () => {
    expect(() => resolveReporterOptions({outputDirectory: 'x'})).toThrow(
      'Leakwatch reporter: unknown option "outputDirectory". Valid options are: outputDir, json, junit, html, junitProfile, suiteNameTemplate, classNameTemplate, title, quiet, hangDiagnosis, hangGraceMs.',
    );
  });

  it('names key, value and expected type for a wrong type', () => {
    expect(() => resolveReporterOptions({quiet: 'yes'})).toThrow('option "quiet" must be a boolean; received "yes".');
    expect(() => resolveReporterOptions({junitProfile: 'loose'})).toThrow('option "junitProfile" must be "strict" or "rich"; received "loose".');
    expect(() => resolveReporterOptions({html: ''})).toThrow('option "html" must be true, false or a non-empty file name; received "".');
    expect(() => resolveReporterOptions({hangGraceMs: -1})).toThrow('option "hangGraceMs" must be a non-negative number of milliseconds; received -1.');
    expect(() => resolveReporterOptions(['x'])).toThrow('options must be an object; received ["x"].');
    try {
      resolveReporterOptions({outputDir: 3});
      throw new Error('not thrown');
    } catch (error) {
      expect((error as {code?: string}).code).toBe('LW_INVALID_OPTION');
    }
  });

  it('lets environment variables override options, and names the variable when invalid', () => {
    const resolved = resolveReporterOptions(
      {outputDir: 'from-config', html: true, quiet: false},
      {LEAKWATCH_OUTPUT_DIR: 'from-env', LEAKWATCH_HTML: 'false', LEAKWATCH_QUIET: '1', LEAKWATCH_JUNIT: 'shard-1.xml', LEAKWATCH_JUNIT_PROFILE: 'rich', LEAKWATCH_REPORT_TITLE: 'CI'},
    );
    expect(resolved).toMatchObject({outputDir: 'from-env', html: false, quiet: true, junit: 'shard-1.xml', junitProfile: 'rich', title: 'CI'});
    expect(() => resolveReporterOptions({}, {LEAKWATCH_QUIET: 'maybe'})).toThrow(
      'environment variable LEAKWATCH_QUIET must be "true", "false", "1" or "0"; received "maybe".',
    );
    expect(() => resolveReporterOptions({}, {LEAKWATCH_JUNIT_PROFILE: 'x'})).toThrow(
      'environment variable LEAKWATCH_JUNIT_PROFILE (option "junitProfile") must be "strict" or "rich"; received "x".',
    );
  });

  it('expands <rootDir> in outputDir', () => {
    expect(resolveReporterOptions({outputDir: '<rootDir>/reports'}, {}, '/repo').outputDir).toBe('/repo/reports');
  });
});
