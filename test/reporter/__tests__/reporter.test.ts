/**
 * @leakwatch/jest-reporter end to end: the real Jest CLI (29 and 30, workers) on fixture
 * projects in test/reporter/fixtures/, with the packed tarballs installed like a user would.
 * Checks leakwatch.json (schema-validated by runJest), junit.xml (libxml2 + junit-10.xsd,
 * exact counts), report.html (headless Chromium) and the terminal summary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {Browser} from 'playwright-core';
import type {Finding, RunReport} from '@leakwatch/core';
import {describeRun, runJest, type RunJestResult} from '../../helpers/runJest';
import type {JestMajor} from '../../helpers/workspace';
import {launchChromium} from '../../../packages/jest-reporter/src/__tests__/support/browser';
import {JUNIT_10_XSD, libxml2Validate, parseJUnit} from '../../../packages/jest-reporter/src/__tests__/support/xml';

// runJest resolves scenarios relative to test/e2e.
const FIXTURES = '../reporter/fixtures';
const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

function markerLine(file: string, marker: string): number {
  const lines = fs.readFileSync(path.join(FIXTURES_DIR, file), 'utf8').split('\n');
  const index = lines.findIndex(line => line.includes(`LEAK:${marker}`));
  if (index < 0) throw new Error(`no LEAK:${marker} in ${file}`);
  return index + 1;
}

function allFindings(report: RunReport): Array<{file: string; owner: string; finding: Finding}> {
  return report.files.flatMap(file => [
    ...file.findings.map(finding => ({file: file.path, owner: '(file)', finding})),
    ...file.tests.flatMap(test => test.findings.map(finding => ({file: file.path, owner: test.titlePath.join(' › '), finding}))),
  ]);
}

const HOSTILE_TITLES = [
  '</textarea><img src=x onerror="window.__pwned=1">',
  'cdata ]]> end',
  'control NUL[\u0000] BEL[\u0007] VT[\u000b] ESC[\u001b[31m]',
  'replacement $& and $1 and $` and ${x}',
  'emoji 🚀 𝕏 ü שלום',
  'fails with a 100 KB message ]]> <b>',
];
const HOSTILE_DESCRIBE = 'hostile </script><img src=x onerror=alert(1)>';
const FILES = ['specs/broken.spec.js', 'specs/hostile.spec.js', 'specs/other-env.spec.js', 'specs/poller.spec.js', 'specs/syntax.spec.js'];

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
});

describe.each([29, 30] as JestMajor[])('reporter on the corpus, Jest %i with workers', major => {
  let result: RunJestResult;
  let report: RunReport;

  beforeAll(async () => {
    result = await runJest(`${FIXTURES}/corpus`, {major, label: `reporter-w2`, args: ['-w', '2']});
    if (!result.report) throw new Error(`no leakwatch.json\n${describeRun(result)}`);
    report = result.report;
  });

  test('the run fails (a test fails, files cannot run) and the reporter does not break it', () => {
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 1, signal: null});
    expect(result.stderr).not.toMatch(/Leakwatch reporter failed|could not write reports/);
    expect(fs.existsSync(path.join(result.dir, 'leakwatch-report', '.sidecars'))).toBe(false);
  });

  test('leakwatch.json keeps every file, sorted, with Jest status and leak status', () => {
    expect(report.files.map(file => file.path)).toEqual(FILES);
    const byPath = Object.fromEntries(report.files.map(file => [file.path, file]));
    expect(byPath['specs/broken.spec.js']).toMatchObject({status: 'error', tests: []});
    expect(byPath['specs/broken.spec.js']?.error).toContain("Cannot find module './does-not-exist'");
    expect(byPath['specs/syntax.spec.js']).toMatchObject({status: 'error', tests: []});
    expect(byPath['specs/syntax.spec.js']?.error).toMatch(/SyntaxError|Unexpected token/);
    expect(byPath['specs/other-env.spec.js']).toMatchObject({status: 'passed', instrumented: false, leakStatus: 'unknown'});
    expect(byPath['specs/hostile.spec.js']?.tests.map(test => test.titlePath)).toEqual(HOSTILE_TITLES.map(title => [HOSTILE_DESCRIBE, title]));
    expect(byPath['specs/hostile.spec.js']?.tests.map(test => test.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'failed']);
    const poller = byPath['specs/poller.spec.js'];
    expect(poller?.tests.map(test => [test.titlePath.join(' › '), test.status])).toEqual([
      ['Poller › starts polling', expect.stringMatching(/^(passed|failed)$/)],
      ['Poller › stops polling', 'passed'],
      ['Poller › retries on error', 'failed'],
      ['Poller › is skipped', 'skipped'],
      ['Poller › is todo', 'todo'],
    ]);
    expect(poller?.tests[1]?.location).toEqual({line: 6, column: 3});
    expect(report.summary).toMatchObject({files: 5, tests: 12});
    expect(report.status).toBe('failed');
    expect(report.jest.version.split('.')[0]).toBe(String(major));
  });

  test('the leaking test carries a timer finding at its line, and nothing else fails for a leak', () => {
    const line = markerLine('corpus/specs/poller.spec.js', 'poller-interval');
    // Error severity is what fails tests and becomes JUnit failures; warn-level cross-check
    // findings are the environment's business (test/e2e/clean covers those).
    const findings = allFindings(report).filter(entry => entry.finding.severity === 'error');
    expect(findings.map(({file, owner, finding}) => [file, owner, finding.kind, finding.scope, finding.location?.file, finding.location?.line])).toEqual([
      ['specs/poller.spec.js', 'Poller › starts polling', 'timer', 'test', 'specs/poller.spec.js', line],
    ]);
    expect(report.files.find(file => file.path === 'specs/poller.spec.js')?.leakStatus).toBe('leaks');
  });

  test('junit.xml is valid XML 1.0 and valid against junit-10.xsd, with exact counts', () => {
    const xml = result.junitXml ?? '';
    expect(libxml2Validate(xml, JUNIT_10_XSD)).toEqual({ok: true, errors: []});
    const suites: any[] = parseJUnit(xml).testsuites.testsuite;
    expect(suites.map(suite => suite.name)).toEqual(FILES);
    const leakCases = allFindings(report).filter(entry => entry.finding.severity === 'error').length;
    let total = 0;
    for (const suite of suites) {
      const cases: any[] = suite.testcase ?? [];
      total += cases.length;
      expect([suite.tests, suite.failures, suite.errors, suite.skipped]).toEqual([
        String(cases.length),
        String(cases.filter(c => c.failure).length),
        String(cases.filter(c => c.error).length),
        String(cases.filter(c => c.skipped).length),
      ]);
    }
    // 12 Jest tests + one error testcase per file that failed to run or errored (a file-scope
    // leak errors its file) + one failing testcase per error-severity finding
    const erroredFiles = report.files.filter(file => file.status === 'error').length;
    expect(erroredFiles).toBeGreaterThanOrEqual(2);
    expect(total).toBe(12 + erroredFiles + leakCases);
    const broken = suites.find(suite => suite.name === 'specs/broken.spec.js');
    expect(broken.testcase.map((c: any) => c.name)).toEqual(['specs/broken.spec.js [suite failed to run]']);
    const syntax = suites.find(suite => suite.name === 'specs/syntax.spec.js');
    expect(syntax.testcase.map((c: any) => [c.name, c.error[0].type])).toEqual([['specs/syntax.spec.js [suite failed to run]', 'TestSuiteError']]);
    const hostileNames = suites.find(suite => suite.name === 'specs/hostile.spec.js').testcase.map((c: any) => c.name);
    expect(hostileNames).toContain(`${HOSTILE_DESCRIBE} replacement $& and $1 and $\` and \${x}`);
    expect(hostileNames).toContain(`${HOSTILE_DESCRIBE} control NUL[\\u0000] BEL[\\u0007] VT[\\u000b] ESC[]`);
  });

  test('report.html opens offline in Chromium: no errors, no requests, hostile names inert, leaks first', async () => {
    browser ??= await launchChromium();
    const page = await browser.newPage();
    const url = pathToFileURL(path.join(result.dir, 'leakwatch-report', 'report.html')).href;
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', message => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', error => problems.push(error.message));
    page.on('dialog', dialog => {
      problems.push(`dialog ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', request => {
      if (request.url() !== url) requests.push(request.url());
    });
    await page.goto(url);
    await page.waitForSelector('html[data-ready=true]', {state: 'attached'});
    await page.click('text=Expand all');
    const text = await page.evaluate<string>('document.body.innerText');
    expect(text).toContain(HOSTILE_DESCRIBE);
    expect(text).toContain('replacement $& and $1');
    expect(await page.title()).toBe('Reporter corpus');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    const line = markerLine('corpus/specs/poller.spec.js', 'poller-interval');
    const sites = await page.locator('[data-testid=leak-groups] details.group > summary').allTextContents();
    expect(sites[0]).toMatch(/^(timer|socket|server|file|other)/);
    expect(sites.some(site => site.includes(`specs/poller.spec.js:${line}`))).toBe(true);
    // the leaks section comes before the test tree
    const order = await page.evaluate(`document.querySelector('[data-testid=leak-groups]').compareDocumentPosition(document.querySelector('[data-testid=files]')) & Node.DOCUMENT_POSITION_FOLLOWING`);
    expect(order).toBeTruthy();
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  test('the terminal summary follows Jest and names the reports', () => {
    expect(result.stderr).toMatch(/^Leakwatch: /m);
    expect(result.stderr).toContain('1 file not watched');
    expect(result.stderr).toContain('Reports: leakwatch-report/leakwatch.json, leakwatch-report/junit.xml, leakwatch-report/report.html');
  });
});

describe('hang diagnosis of the main Jest process (Jest 30)', () => {
  let result: RunJestResult;

  beforeAll(async () => {
    result = await runJest(`${FIXTURES}/hang`, {major: 30, label: 'reporter-hang'});
  });

  test('lists what keeps Jest alive in the terminal and in leakwatch.json', () => {
    expect({exitCode: result.exitCode, signal: result.signal}).toEqual({exitCode: 0, signal: null});
    const line = markerLine('hang/global-teardown.js', 'teardown-server');
    const findings = result.report?.mainProcess?.findings ?? [];
    expect(findings.map(finding => [finding.kind, finding.resourceType, finding.location?.file, finding.location?.line])).toEqual([
      ['server', 'TCPSERVERWRAP', 'global-teardown.js', line],
      ['timer', 'Timeout', 'global-teardown.js', line + 1],
      ['timer', 'Timeout', undefined, undefined],
    ]);
    expect(findings[2]?.message).toContain('created before Leakwatch');
    expect(result.report?.status).toBe('failed');
    expect(result.stderr).toContain('Leakwatch: Jest has not exited after the run.');
    expect(result.stderr).toContain(`TCPSERVERWRAP  at global-teardown.js:${line}:0`);
    const xml = result.junitXml ?? '';
    expect(xml).toContain('<testsuite name="(main process)" tests="3" failures="3"');
    expect(libxml2Validate(xml, JUNIT_10_XSD).ok).toBe(true);
  });
});
