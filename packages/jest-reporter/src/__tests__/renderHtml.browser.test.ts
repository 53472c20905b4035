import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {Browser, Page} from 'playwright-core';
import {renderHtml} from '../renderHtml';
import {file, finding, HOSTILE, report, sampleReport, test} from './fixtures';
import {launchChromium} from './support/browser';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const {bundleClient} = require('../../scripts/build-client.js') as {bundleClient: () => string};

jest.setTimeout(60_000);

let browser: Browser;
let dir: string;
let url: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-html-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, renderHtml(sampleReport(), bundleClient(), {title: `Report ${HOSTILE.script}`}));
  url = pathToFileURL(file).href;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

/** Page-side code is passed as strings: this file is typechecked without the DOM library. */
function waitForCount(page: Page, prefix: string): Promise<unknown> {
  // Locators, not waitForFunction: the page's CSP (rightly) forbids the eval that a string predicate needs.
  return page.locator('[data-testid=result-count]', {hasText: prefix}).waitFor();
}

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

async function open(hash = ''): Promise<Opened> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', error => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', dialog => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', request => {
    if (request.url() !== url && request.url() !== url + hash) requests.push(request.url());
  });
  await page.goto(url + hash);
  await page.waitForSelector('html[data-ready]', {state: 'attached'});
  expect(await page.evaluate('document.documentElement.dataset.ready')).toBe('true');
  return {page, problems, requests};
}

describe('report.html in Chromium', () => {
  it('opens offline with no console errors, no network requests and a strict CSP', async () => {
    const {page, problems, requests} = await open();
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; base-uri 'none'; form-action 'none'$/);
    await page.close();
  });

  it('shows the totals and a leak in the first view, before the test tree', async () => {
    const {page} = await open();
    await page.setViewportSize({width: 1280, height: 800});
    const totals = await page.textContent('[data-testid=totals]');
    expect(totals).toContain('4findings');
    expect(totals).toContain('2files with leaks');
    const first = page.locator('[data-testid=leak-groups] details.group').first();
    await expect(first.locator(':scope > summary').textContent()).resolves.toContain('src/poller.ts:42');
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? 9999) + (box?.height ?? 0)).toBeLessThan(800);
    const order = await page.evaluate(`(() => {
      const leaks = document.querySelector('[data-testid=leak-groups]');
      const files = document.querySelector('[data-testid=files]');
      return leaks && files ? leaks.compareDocumentPosition(files) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
    })()`);
    expect(order).toBeTruthy();
    await page.close();
  });

  it('renders hostile names as inert text', async () => {
    const {page, problems} = await open();
    await page.click('text=Expand all');
    // Opening every file renders every test, finding and failure message.
    const text = await page.evaluate<string>('document.body.innerText');
    expect(text).toContain(HOSTILE.script);
    expect(text).toContain('emoji 🚀 and 𝕏');
    expect(text).toContain('replacement $& and $1');
    expect(await page.title()).toBe(`Report ${HOSTILE.script}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters by search, status and kind, with counts, and keeps the state in the URL hash', async () => {
    const {page, problems} = await open();
    const count = page.locator('[data-testid=result-count]');
    await expect(count.textContent()).resolves.toBe('12 of 12 tests · 4 files');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.type')).toBe('search');
    await page.keyboard.type('retries');
    await waitForCount(page, '1 of');
    expect(new URL(page.url()).hash).toBe('#q=retries');
    expect(await page.locator('[data-testid=files] .test').allTextContents()).toEqual([expect.stringContaining('retries on error')]);

    await page.fill('input[type=search]', '');
    await page.selectOption('select[aria-label="Filter by status"]', 'leaking');
    await waitForCount(page, '2 of');
    expect(new URL(page.url()).hash).toBe('#status=leaking');
    const statusOptions = await page.locator('select[aria-label="Filter by status"] option').allTextContents();
    expect(statusOptions).toEqual(['all (12)', 'failed (6)', 'passed (4)', 'skipped (2)', 'leaking (2)', 'not watched (1)']);

    await page.selectOption('select[aria-label="Filter by status"]', 'all');
    await page.selectOption('select[aria-label="Filter by finding kind"]', 'socket');
    await waitForCount(page, '1 of');
    expect(await page.locator('[data-testid=leak-groups] details.group').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('restores filters from the hash and deep-links to a finding', async () => {
    const {page} = await open('#status=failed&kind=timer');
    expect(await page.inputValue('select[aria-label="Filter by status"]')).toBe('failed');
    expect(await page.inputValue('select[aria-label="Filter by finding kind"]')).toBe('timer');
    await expect(page.locator('[data-testid=result-count]').textContent()).resolves.toBe('1 of 12 tests · 1 file');
    await page.close();
    const linked = await open('#finding=g1');
    expect(await linked.page.locator('[data-testid=leak-groups] details.group[open]').count()).toBe(1);
    expect(await linked.page.locator('#finding-g1').first().isVisible()).toBe(true);
    await linked.page.close();
  });

  it('is keyboard reachable: Tab reaches the search, filters and the first leak group, Enter opens it', async () => {
    const {page} = await open();
    const reached: string[] = [];
    for (let i = 0; i < 20 && !reached.some(entry => entry.startsWith('summary:')); i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate<string>(`(() => {
          const el = document.activeElement;
          return el ? el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') ?? el.textContent?.slice(0, 20) ?? '') : '';
        })()`),
      );
    }
    expect(reached[0]).toBe('input:Search tests, files and findings');
    expect(reached).toContain('select:Filter by status');
    expect(reached).toContain('select:Filter by finding kind');
    expect(reached[reached.length - 1]).toMatch(/^summary:timer/);
    const group = page.locator('[data-testid=leak-groups] details.group').first();
    // With three sites or fewer the groups start open; Enter on the summary toggles.
    expect(await group.getAttribute('open')).toBe('');
    await page.keyboard.press('Enter');
    expect(await group.getAttribute('open')).toBeNull();
    await page.keyboard.press('Enter');
    expect(await group.getAttribute('open')).toBe('');
    await page.close();
  });

  it('draws memory charts from MemoryRecord and copes with files without one', async () => {
    const {page} = await open('#file=src%2Fpoller.test.ts');
    expect(await page.locator('section[aria-labelledby=memory-h] svg.chart rect.bar').count()).toBe(1);
    const fileBody = page.locator('[data-testid=files] details.file[open]');
    expect(await fileBody.count()).toBe(1);
    expect(await fileBody.locator('svg.chart').count()).toBe(2);
    await expect(fileBody.locator('.memory').textContent()).resolves.toContain('Map');
    await page.close();
  });

  it('lists state that was not restored in its own section', async () => {
    const {page} = await open();
    const state = page.locator('[data-testid=state] details.group');
    expect(await state.count()).toBe(1);
    await state.locator(':scope > summary').click();
    await state.getByText('globalThis.__APP_CACHE__ added').first().waitFor();
    await page.close();
  });
});

describe('report.html with 10,000 tests in Chromium', () => {
  it('renders lazily (small DOM) and still finds a test in a file nobody opened', async () => {
    const files = Array.from({length: 200}, (_, f) =>
      file({
        path: `src/f${String(f).padStart(3, '0')}.test.ts`,
        leakStatus: f % 20 === 0 ? 'leaks' : 'clean',
        tests: Array.from({length: 50}, (_, t) =>
          test({
            titlePath: [`Feature ${f}`, `case ${f * 50 + t}`],
            status: t === 7 ? 'failed' : 'passed',
            failureMessages: t === 7 ? ['Error: nope'] : [],
            findings: f % 20 === 0 && t === 3 ? [finding({id: `f-${f}`, scopePath: [`Feature ${f}`, `case ${f * 50 + t}`]})] : [],
          }),
        ),
      }),
    );
    const big = path.join(dir, 'big.html');
    fs.writeFileSync(big, renderHtml(report(files), bundleClient(), {title: 'big'}));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', error => errors.push(error.message));
    await page.goto(pathToFileURL(big).href);
    await page.waitForSelector('html[data-ready=true]', {state: 'attached'});
    const nodes = await page.evaluate<number>("document.getElementsByTagName('*').length");
    expect(nodes).toBeLessThan(3000);
    await expect(page.locator('[data-testid=result-count]').textContent()).resolves.toBe('10000 of 10000 tests · 200 files');
    await page.fill('input[type=search]', 'case 9876');
    await waitForCount(page, '1 of 10000 tests');
    await expect(page.locator('[data-testid=files] details.file[open] .test').allTextContents()).resolves.toEqual([expect.stringContaining('case 9876')]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
