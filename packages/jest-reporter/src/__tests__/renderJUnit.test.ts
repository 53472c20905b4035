import {fillTemplate, formatSeconds, renderJUnit} from '../renderJUnit';
import {DEFAULT_JUNIT_OPTIONS} from '../renderJUnit';
import {file, finding, HOSTILE, report, sampleReport, test} from './fixtures';
import {JUNIT_10_XSD, libxml2Validate, parseJUnit} from './support/xml';

const attr = (node: any, name: string): string => node[name];
/** CDATA text; a `]]>` split yields several sections. */
const cdataText = (node: any): string => [node['#cdata']].flat().join('');

describe('renderJUnit', () => {
  const sample = sampleReport();
  const xml = renderJUnit(sample, {...DEFAULT_JUNIT_OPTIONS, htmlFile: 'report.html'});
  const parsed = parseJUnit(xml);
  const suites: any[] = parsed.testsuites.testsuite;
  const suiteByName = (name: string): any => suites.find(suite => attr(suite, 'name') === name);

  it('is valid XML 1.0 (libxml2) and valid against Jenkins xUnit junit-10.xsd in the strict profile', () => {
    expect(libxml2Validate(xml, JUNIT_10_XSD)).toEqual({ok: true, errors: []});
  });

  it('emits one suite per file, named by relative path, with counts equal to its children', () => {
    expect(suites.map(suite => attr(suite, 'name'))).toEqual(['src/broken.test.ts', 'src/hostile.test.ts', 'src/other-env.test.ts', 'src/poller.test.ts']);
    let tests = 0;
    let failures = 0;
    let errors = 0;
    for (const suite of suites) {
      const cases: any[] = suite.testcase ?? [];
      const f = cases.filter(c => c.failure).length;
      const e = cases.filter(c => c.error).length;
      const s = cases.filter(c => c.skipped).length;
      expect([attr(suite, 'tests'), attr(suite, 'failures'), attr(suite, 'errors'), attr(suite, 'skipped')]).toEqual([String(cases.length), String(f), String(e), String(s)]);
      tests += cases.length;
      failures += f;
      errors += e;
    }
    const root = parsed.testsuites;
    expect([attr(root, 'tests'), attr(root, 'failures'), attr(root, 'errors'), attr(root, 'time'), attr(root, 'name')]).toEqual([
      String(tests),
      String(failures),
      String(errors),
      '1.482',
      'Leakwatch report',
    ]);
    // exact counts for the sample: 4 poller tests + 2 leak cases (1 test-scope error, 1 file-scope error; the warn is not a testcase)
    expect(attr(suiteByName('src/poller.test.ts'), 'tests')).toBe('6');
    expect(attr(suiteByName('src/poller.test.ts'), 'failures')).toBe('4');
    expect(attr(suiteByName('src/poller.test.ts'), 'skipped')).toBe('2');
    expect([tests, failures, errors]).toEqual([16, 9, 1]);
  });

  it('keeps every Jest test under its exact full name and adds a distinct [leak] testcase after the leaking test', () => {
    const cases: any[] = suiteByName('src/poller.test.ts').testcase;
    expect(cases.map(c => [attr(c, 'classname'), attr(c, 'name')])).toEqual([
      ['Poller', 'Poller starts polling'],
      ['Poller', 'Poller starts polling [leak: timer at src/poller.ts:42]'],
      ['Poller', 'Poller retries on error'],
      ['Poller', 'Poller is skipped'],
      ['Poller', 'Poller is todo'],
      ['(file)', 'src/poller.test.ts [leak: global at src/cache.ts:5]'],
    ]);
    const leak = cases[1].failure[0];
    expect(attr(leak, 'type')).toBe('ResourceLeak.timer');
    expect(attr(leak, 'message')).toBe('timer leaked by test "Poller starts polling": setInterval(1000ms) still pending (src/poller.ts:42)');
    expect(cdataText(leak)).toContain('    at Poller.start (src/poller.ts:42:18)');
    expect(cdataText(leak)).toContain('Report: report.html#finding=f1');
    expect(attr(cases[0].failure[0], 'type')).toBe('Error');
    expect(attr(cases[3].skipped[0], 'message')).toBe('skipped');
    expect(attr(cases[4].skipped[0], 'message')).toBe('todo');
    expect(attr(cases[0], 'file')).toBeUndefined();
  });

  it('reports a file that failed to run as an <error> testcase', () => {
    const suite = suiteByName('src/broken.test.ts');
    expect(suite.testcase).toHaveLength(1);
    expect(attr(suite.testcase[0], 'name')).toBe('src/broken.test.ts [suite failed to run]');
    expect(attr(suite.testcase[0].error[0], 'message')).toBe("Cannot find module './does-not-exist' from 'src/broken.test.ts'");
  });

  it('puts the leak summary in <testsuite><properties>', () => {
    const props = Object.fromEntries(suiteByName('src/poller.test.ts').properties.property.map((p: any) => [attr(p, 'name'), attr(p, 'value')]));
    expect(props).toEqual({
      'leakwatch.schemaVersion': '1',
      'leakwatch.instrumented': 'true',
      'leakwatch.leakStatus': 'leaks',
      'leakwatch.findings': '3',
      'leakwatch.findings.global': '1',
      'leakwatch.findings.timer': '2',
      'leakwatch.memory.growthBytes': '5000000',
      'leakwatch.memory.testDeltaBytes.max': '5242880',
      'leakwatch.report': 'report.html#file=src%2Fpoller.test.ts',
    });
    const other = Object.fromEntries(suiteByName('src/other-env.test.ts').properties.property.map((p: any) => [attr(p, 'name'), attr(p, 'value')]));
    expect(other['leakwatch.leakStatus']).toBe('unknown');
  });

  it('keeps hostile names intact as text: no invalid characters, no markup, no $& expansion', () => {
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/);
    // Outside CDATA sections (where text is literal) no markup from names survives.
    const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, () => '');
    expect(outsideCdata).not.toContain('<img');
    expect(outsideCdata).not.toContain('</script>');
    expect(outsideCdata).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    const names = suiteByName('src/hostile.test.ts').testcase.map((c: any) => attr(c, 'name'));
    expect(names).toContain('hostile &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; replacement $&amp; and $1 and $` and ${x}'.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    expect(names).toContain('hostile </script><img src=x onerror=alert(1)> emoji 🚀 and 𝕏 and ü and RTL שלום');
  });

  it('caps a 100 KB failure message at 64 KB and stays valid', () => {
    const big = report([file({status: 'failed', tests: [test({status: 'failed', failureMessages: ['Error: big\n' + 'z'.repeat(100_000) + ']]>' + HOSTILE.control]})]})]);
    const out = renderJUnit(big);
    expect(libxml2Validate(out, JUNIT_10_XSD).ok).toBe(true);
    const body: string = cdataText(parseJUnit(out).testsuites.testsuite[0].testcase[0].failure[0]);
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body).toContain('[truncated');
    expect(out.length).toBeLessThan(70_000);
  });

  it('adds file and line in the rich profile (not valid for junit-10.xsd, by design)', () => {
    const rich = renderJUnit(
      report([file({tests: [test({location: {line: 7, column: 3}, findings: [finding()]})]})]),
      {...DEFAULT_JUNIT_OPTIONS, profile: 'rich'},
    );
    const cases: any[] = parseJUnit(rich).testsuites.testsuite[0].testcase;
    expect(cases.map(c => [attr(c, 'file'), attr(c, 'line')])).toEqual([
      ['src/poller.test.ts', '7'],
      ['src/poller.test.ts', '42'],
    ]);
    expect(libxml2Validate(rich).ok).toBe(true);
    expect(libxml2Validate(rich, JUNIT_10_XSD).ok).toBe(false);
  });

  it('makes duplicate names unique and applies templates without $ expansion', () => {
    const dup = report([file({tests: [test({titlePath: ['same']}), test({titlePath: ['same']})]})]);
    const out = renderJUnit(dup, {...DEFAULT_JUNIT_OPTIONS, suiteNameTemplate: 'unit:{filename}', classNameTemplate: '{filepath} {describe} $&'});
    const suite = parseJUnit(out).testsuites.testsuite[0];
    expect(attr(suite, 'name')).toBe('unit:poller.test.ts');
    expect(suite.testcase.map((c: any) => [attr(c, 'classname'), attr(c, 'name')])).toEqual([
      ['src/poller.test.ts  $&', 'same'],
      ['src/poller.test.ts  $&', 'same (2)'],
    ]);
  });

  it('is byte-identical for the same input', () => {
    expect(renderJUnit(sampleReport(), {...DEFAULT_JUNIT_OPTIONS, htmlFile: 'report.html'})).toBe(xml);
  });

  it('matches the snapshot', () => {
    expect(renderJUnit(report([file({tests: [test({findings: [finding()]}), test({titlePath: ['Poller', 'b'], status: 'skipped'})]})]))).toMatchSnapshot();
  });
});

describe('helpers', () => {
  it('fillTemplate replaces every occurrence and leaves unknown placeholders', () => {
    expect(fillTemplate('{a}-{a}-{b}-{', {a: '$&$1'})).toBe('$&$1-$&$1-{b}-{');
  });
  it('formatSeconds never writes NaN or negatives', () => {
    expect([formatSeconds(NaN), formatSeconds(-5), formatSeconds(1234.5678)]).toEqual(['0.000', '0.000', '1.235']);
  });
});
