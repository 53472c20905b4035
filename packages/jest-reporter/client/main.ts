/**
 * The report.html client. Every string from the report reaches the page through
 * textContent or a text node, never as markup. Lists render lazily: groups and files
 * render their bodies when opened, long lists in pages.
 */
import type {FileRecord, Finding, MemoryRecord, RunReport, TestRecord} from '@leakwatch/core';

const PAGE = 100;
const GROUP_PAGE = 50;
const SEP = ' › ';

type Status = 'all' | 'failed' | 'passed' | 'skipped' | 'leaking' | 'unknown';

interface State {
  q: string;
  status: Status;
  kind: string;
  severity: string;
  finding: string;
  file: string;
}

interface TestRow {
  file: FileRecord;
  test: TestRecord;
  haystack: string;
}

interface Occurrence {
  file: FileRecord;
  owner: string;
  finding: Finding;
}

interface Group {
  key: string;
  kind: string;
  site: string;
  severity: string;
  occurrences: Occurrence[];
  haystack: string;
}

// ---------- DOM helpers (text only) ----------

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) for (const [key, value] of Object.entries(props)) el.setAttribute(key, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  for (const unit of ['B', 'KB', 'MB', 'GB']) {
    if (value < 1024 || unit === 'GB') return `${sign}${unit === 'B' ? value : value.toFixed(1)} ${unit}`;
    value /= 1024;
  }
  return `${bytes} B`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function site(finding: Finding): string {
  return finding.location ? `${finding.location.file}:${finding.location.line}` : `(${finding.resourceType}, no user frame)`;
}

const SEVERITY_RANK: Record<string, number> = {error: 0, warn: 1, info: 2};

// ---------- data ----------

async function loadReport(): Promise<RunReport> {
  const node = document.getElementById('leakwatch-data');
  if (!node) throw new Error('report data is missing from this page');
  const binary = atob((node.textContent ?? '').trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  const text = await new Response(stream).text();
  return JSON.parse(text) as RunReport;
}

function ownerOf(file: FileRecord, finding: Finding, test?: TestRecord): string {
  if (test) return test.titlePath.join(SEP);
  if (finding.scope === 'describe' && finding.scopePath.length > 0) return `describe ${finding.scopePath.join(SEP)}`;
  return `file ${file.path}`;
}

function buildGroups(report: RunReport): Group[] {
  const groups = new Map<string, Group>();
  const add = (file: FileRecord, finding: Finding, test?: TestRecord): void => {
    const key = `${finding.kind}\u0000${site(finding)}`;
    let group = groups.get(key);
    if (!group) {
      group = {key, kind: finding.kind, site: site(finding), severity: finding.severity, occurrences: [], haystack: ''};
      groups.set(key, group);
    }
    if ((SEVERITY_RANK[finding.severity] ?? 3) < (SEVERITY_RANK[group.severity] ?? 3)) group.severity = finding.severity;
    group.occurrences.push({file, owner: ownerOf(file, finding, test), finding});
  };
  for (const file of report.files) {
    for (const finding of file.findings) add(file, finding);
    for (const test of file.tests) for (const finding of test.findings) add(file, finding, test);
  }
  const list = [...groups.values()];
  for (const group of list) {
    group.haystack = [group.site, group.kind, ...group.occurrences.flatMap(o => [o.file.path, o.owner, o.finding.message, o.finding.resourceType])].join('\n').toLowerCase();
  }
  return list.sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) ||
      b.occurrences.length - a.occurrences.length ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

// ---------- state in the URL hash ----------

const STATUSES: Status[] = ['all', 'failed', 'passed', 'skipped', 'leaking', 'unknown'];

function readState(): State {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const status = params.get('status') ?? 'all';
  return {
    q: params.get('q') ?? '',
    status: (STATUSES as string[]).includes(status) ? (status as Status) : 'all',
    kind: params.get('kind') ?? '',
    severity: params.get('severity') ?? '',
    finding: params.get('finding') ?? '',
    file: params.get('file') ?? '',
  };
}

function writeState(state: State): void {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.status !== 'all') params.set('status', state.status);
  if (state.kind) params.set('kind', state.kind);
  if (state.severity) params.set('severity', state.severity);
  if (state.finding) params.set('finding', state.finding);
  if (state.file) params.set('file', state.file);
  const hash = params.toString();
  history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
}

// ---------- rendering pieces ----------

function tag(text: string, cls = ''): HTMLElement {
  return h('span', {class: `tag ${cls}`.trim()}, text);
}

function renderStack(stack: readonly string[]): HTMLElement {
  const internal = (frame: string): boolean => /node_modules[/\\]|^node:|\(node:|internal\//.test(frame);
  const wrap = h('div', {class: 'frames'});
  const lines: string[] = [];
  let folded = 0;
  const flush = (): void => {
    if (folded > 0) lines.push(`    … ${folded} node_modules/internal frame${folded === 1 ? '' : 's'}`);
    folded = 0;
  };
  for (const frame of stack) {
    if (internal(frame)) folded++;
    else {
      flush();
      lines.push(`    at ${frame}`);
    }
  }
  flush();
  if (lines.length > 0) wrap.append(h('pre', null, lines.join('\n')));
  if (stack.some(internal)) {
    wrap.append(h('details', null, h('summary', {class: 'folded'}, 'all frames'), h('pre', null, stack.map(frame => `    at ${frame}`).join('\n'))));
  }
  return wrap;
}

function renderFinding(finding: Finding): HTMLElement {
  const details = Object.keys(finding.details).sort();
  return h(
    'div',
    {class: 'finding', id: `finding-${finding.id}`},
    h('div', null, tag(finding.kind, finding.severity), ' ', tag(finding.severity, finding.severity), ' ', h('code', null, site(finding)), ' ', finding.message, ' ', h('span', {class: 'muted'}, `(${finding.resourceType}, ${finding.scope} scope)`)),
    renderStack(finding.stack),
    details.length > 0 &&
      h('table', null, ...details.map(key => h('tr', null, h('th', null, key), h('td', null, stringify(finding.details[key]))))),
  );
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Bodies of lazy details elements, rendered on demand (before they are opened by script). */
const lazyRenderers = new WeakMap<HTMLDetailsElement, () => void>();

/** Opens a details element with its body already rendered (no flash of an empty body). */
function openDetails(el: HTMLDetailsElement): void {
  lazyRenderers.get(el)?.();
  el.open = true;
}

/** Renders a details element's body the first time it opens. */
function lazyDetails(summary: HTMLElement, cls: string, body: () => Node, open = false): HTMLDetailsElement {
  const el = h('details', {class: cls}, summary);
  let rendered = false;
  const render = (): void => {
    if (rendered) return;
    rendered = true;
    el.append(h('div', {class: 'body'}, body()));
  };
  lazyRenderers.set(el, render);
  // The toggle event is queued as a task; render on the summary's click already, so the
  // body is there in the same turn the element opens.
  summary.addEventListener('click', () => {
    if (!el.open) render();
  });
  el.addEventListener('toggle', () => {
    if (el.open) render();
  });
  if (open) {
    render();
    el.open = true;
  }
  return el;
}

function paged<T>(container: HTMLElement, items: readonly T[], pageSize: number, render: (item: T) => Node, label: string): void {
  let shown = 0;
  const more = h('button', {type: 'button', class: 'more'});
  const step = (): void => {
    const next = items.slice(shown, shown + pageSize);
    for (const item of next) container.insertBefore(render(item), more);
    shown += next.length;
    more.textContent = `Show ${Math.min(pageSize, items.length - shown)} more ${label} (${items.length - shown} left)`;
    more.hidden = shown >= items.length;
  };
  more.addEventListener('click', step);
  container.append(more);
  step();
}

function renderMemory(memory: MemoryRecord | undefined, tests: readonly TestRecord[]): HTMLElement | null {
  const deltas = tests.filter(test => test.memoryDeltaBytes !== undefined);
  if (!memory && deltas.length === 0) return null;
  const section = h('div', {class: 'memory'}, h('h4', null, 'Memory'));
  if (memory) {
    section.append(
      h(
        'table',
        null,
        h('tr', null, h('th', null, 'heap before'), h('td', null, formatBytes(memory.heapBeforeBytes))),
        h('tr', null, h('th', null, 'heap after'), h('td', null, formatBytes(memory.heapAfterBytes))),
        h('tr', null, h('th', null, 'growth'), h('td', null, formatBytes(memory.growthBytes))),
        memory.retainedAfterTeardownBytes !== undefined && h('tr', null, h('th', null, 'retained after teardown'), h('td', null, formatBytes(memory.retainedAfterTeardownBytes))),
      ),
    );
    if (memory.samples && memory.samples.length > 0) {
      section.append(barChart(memory.samples.map(sample => ({label: sample.label, value: sample.heapUsedBytes})), 'Heap used per sample'));
    }
    if (memory.topGrowth && memory.topGrowth.length > 0) {
      section.append(
        h('h4', null, 'Heap diff (largest growth by constructor)'),
        h(
          'table',
          null,
          h('tr', null, h('th', null, 'constructor'), h('th', null, 'count'), h('th', null, 'bytes')),
          ...memory.topGrowth.map(entry => h('tr', null, h('td', null, entry.constructor), h('td', null, String(entry.count)), h('td', null, formatBytes(entry.bytes)))),
        ),
      );
    }
  }
  if (deltas.length > 0) {
    section.append(barChart(deltas.map(test => ({label: test.titlePath.join(SEP), value: test.memoryDeltaBytes ?? 0})), 'Heap delta per test'));
  }
  return section;
}

function barChart(points: ReadonlyArray<{label: string; value: number}>, title: string): SVGSVGElement {
  const shown = points.slice(0, 200);
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...shown.map(point => Math.abs(point.value)));
  const barWidth = Math.max(2, Math.floor(width / Math.max(1, shown.length)) - 1);
  const chart = svg('svg', {class: 'chart', viewBox: `0 0 ${width} ${height + 14}`, width, height: height + 14, role: 'img'});
  chart.append(Object.assign(svg('title', {}), {textContent: title}));
  shown.forEach((point, index) => {
    const barHeight = Math.max(1, Math.round((Math.abs(point.value) / max) * height));
    const rect = svg('rect', {class: point.value < 0 ? 'bar neg' : 'bar', x: index * (barWidth + 1), y: height - barHeight, width: barWidth, height: barHeight});
    const tip = svg('title', {});
    tip.textContent = `${point.label}: ${formatBytes(point.value)}`;
    rect.append(tip);
    chart.append(rect);
  });
  const caption = svg('text', {x: 0, y: height + 12});
  caption.textContent = `${title} (max ${formatBytes(max)})`;
  chart.append(caption);
  return chart;
}

// ---------- app ----------

function main(report: RunReport): void {
  const app = document.getElementById('app');
  if (!app) return;
  // The server rendered the title into <title>; reading it back keeps one source of truth.
  const title = document.title || 'Leakwatch report';
  const groups = buildGroups(report);
  const rows: TestRow[] = [];
  for (const file of report.files) {
    for (const test of file.tests) {
      rows.push({file, test, haystack: [file.path, test.fullName, test.titlePath.join(' '), ...test.findings.flatMap(f => [f.message, site(f), f.kind])].join('\n').toLowerCase()});
    }
  }
  const state = readState();
  const summary = report.summary;
  const unknownFiles = report.files.filter(file => file.leakStatus === 'unknown').length;
  const mainFindings = report.mainProcess?.findings ?? [];

  const card = (label: string, value: string | number, cls = ''): HTMLElement => h('div', {class: 'card'}, h('b', cls ? {class: cls} : null, String(value)), label);
  const header = h(
    'header',
    null,
    h('h1', null, title),
    h(
      'div',
      {class: 'meta'},
      `${report.status === 'failed' ? 'Failed' : 'Passed'} · started ${report.startedAt} · ${formatMs(report.durationMs)} · Jest ${report.jest.version} · Node ${report.node.version} · ${report.tool.name} ${report.tool.version}`,
    ),
    h(
      'div',
      {class: 'cards', 'data-testid': 'totals'},
      card('findings', summary.findings, summary.bySeverity.error > 0 ? 'bad' : summary.findings > 0 ? 'warn' : 'good'),
      card('files with leaks', summary.filesWithLeaks, summary.filesWithLeaks > 0 ? 'bad' : 'good'),
      card('tests', summary.tests),
      card('failed', summary.failed, summary.failed > 0 ? 'bad' : ''),
      card('passed', summary.passed, 'good'),
      card('skipped/todo', summary.skipped),
      card('files not watched', unknownFiles, unknownFiles > 0 ? 'warn' : ''),
      mainFindings.length > 0 && card('keep Jest alive', mainFindings.length, 'bad'),
      ...Object.entries(summary.byKind).map(([kind, count]) => card(kind, count ?? 0, 'bad')),
    ),
  );

  // toolbar
  const search = h('input', {type: 'search', placeholder: 'Search tests, files, findings ( / )', 'aria-label': 'Search tests, files and findings'});
  search.value = state.q;
  const count = (predicate: (row: TestRow) => boolean): number => rows.reduce((n, row) => n + (predicate(row) ? 1 : 0), 0);
  const statusCounts: Record<Status, number> = {
    all: rows.length,
    failed: count(row => row.test.status === 'failed'),
    passed: count(row => row.test.status === 'passed'),
    skipped: count(row => row.test.status === 'skipped' || row.test.status === 'todo'),
    leaking: count(row => row.test.findings.length > 0),
    unknown: count(row => row.file.leakStatus === 'unknown'),
  };
  const statusSelect = h('select', {'aria-label': 'Filter by status'}, ...STATUSES.map(status => h('option', {value: status}, `${status === 'unknown' ? 'not watched' : status} (${statusCounts[status]})`)));
  statusSelect.value = state.status;
  const kindSelect = h('select', {'aria-label': 'Filter by finding kind'}, h('option', {value: ''}, `any kind (${summary.findings})`), ...Object.entries(summary.byKind).map(([kind, n]) => h('option', {value: kind}, `${kind} (${n ?? 0})`)));
  kindSelect.value = state.kind;
  const severitySelect = h(
    'select',
    {'aria-label': 'Filter by severity'},
    h('option', {value: ''}, 'any severity'),
    ...(['error', 'warn', 'info'] as const).map(severity => h('option', {value: severity}, `${severity} (${summary.bySeverity[severity]})`)),
  );
  severitySelect.value = state.severity;
  const expandAll = h('button', {type: 'button'}, 'Expand all');
  const collapseAll = h('button', {type: 'button'}, 'Collapse all');
  const resultCount = h('span', {class: 'muted', 'aria-live': 'polite', 'data-testid': 'result-count'});
  const toolbar = h('div', {class: 'toolbar', role: 'search'}, search, statusSelect, kindSelect, severitySelect, expandAll, collapseAll, resultCount);

  const leaksSection = h('section', {'aria-labelledby': 'leaks-h'});
  const mainSection = h('section', {'aria-labelledby': 'main-h'});
  const testsSection = h('section', {'aria-labelledby': 'tests-h'});
  const memorySection = h('section', {'aria-labelledby': 'memory-h'});
  const stateSection = h('section', {'aria-labelledby': 'state-h'});
  const root = h('main', null, header, toolbar, mainSection, leaksSection, testsSection, stateSection, memorySection);
  app.replaceChildren(root);

  if (mainFindings.length > 0) {
    mainSection.append(h('h2', {id: 'main-h'}, `Keeping the main Jest process alive (${mainFindings.length})`), ...mainFindings.map(renderFinding));
  }

  // Global state a file changed and did not restore (globals, env, cwd, listeners, watched state).
  const stateKinds = new Set(['global', 'env', 'cwd', 'process-listener', 'state']);
  const stateFiles = report.files
    .map(file => ({file, findings: [...file.findings, ...file.tests.flatMap(test => test.findings)].filter(finding => stateKinds.has(finding.kind))}))
    .filter(entry => entry.findings.length > 0);
  if (stateFiles.length > 0) {
    stateSection.append(h('h2', {id: 'state-h'}, `State not restored (${stateFiles.length} file${stateFiles.length === 1 ? '' : 's'})`));
    const list = h('div', {'data-testid': 'state'});
    stateSection.append(list);
    paged(
      list,
      stateFiles,
      PAGE,
      entry =>
        lazyDetails(
          h('summary', null, h('b', null, entry.file.path), tag(`${entry.findings.length} change${entry.findings.length === 1 ? '' : 's'}`, 'warn')),
          'group',
          () => h('div', null, ...entry.findings.map(renderFinding)),
        ),
      'files',
    );
  }

  const memoryFiles = report.files.filter(file => file.memory);
  if (memoryFiles.length > 0) {
    const byGrowth = [...memoryFiles].sort((a, b) => (b.memory?.growthBytes ?? 0) - (a.memory?.growthBytes ?? 0));
    memorySection.append(
      h('h2', {id: 'memory-h'}, 'Memory growth per file'),
      barChart(byGrowth.map(file => ({label: file.path, value: file.memory?.growthBytes ?? 0})), 'Heap growth per file'),
      h('table', null, h('tr', null, h('th', null, 'file'), h('th', null, 'growth')), ...byGrowth.slice(0, 20).map(file => h('tr', null, h('td', null, file.path), h('td', null, formatBytes(file.memory?.growthBytes ?? 0))))),
    );
  }

  const renderGroup = (group: Group, open: boolean): Node => {
    const tests = new Set(group.occurrences.map(o => `${o.file.path}\u0000${o.owner}`)).size;
    const summaryEl = h(
      'summary',
      null,
      tag(group.kind, group.severity),
      h('code', null, group.site),
      h('span', null, `${group.occurrences.length} finding${group.occurrences.length === 1 ? '' : 's'} from ${tests} test${tests === 1 ? '' : 's'}/scope${tests === 1 ? '' : 's'}`),
      h('span', {class: 'muted'}, group.occurrences[0]?.finding.message ?? ''),
    );
    return lazyDetails(
      summaryEl,
      'group',
      () => {
        const body = h('div', null);
        paged(
          body,
          group.occurrences,
          PAGE,
          occurrence => h('div', {class: 'test'}, h('div', null, h('b', null, occurrence.file.path), SEP, occurrence.owner), renderFinding(occurrence.finding)),
          'findings',
        );
        return body;
      },
      open,
    );
  };

  const renderTest = (test: TestRecord): Node =>
    h(
      'div',
      {class: 'test', 'data-status': test.status},
      h(
        'div',
        null,
        h('span', {class: `status-${test.status}`}, test.status === 'passed' ? '✓ ' : test.status === 'failed' ? '✕ ' : '○ '),
        test.titlePath[test.titlePath.length - 1] ?? test.fullName,
        ' ',
        h('span', {class: 'muted'}, `${formatMs(test.durationMs)}${test.retries > 0 ? ` · ${test.retries} retr${test.retries === 1 ? 'y' : 'ies'}` : ''}${test.memoryDeltaBytes !== undefined ? ` · heap ${formatBytes(test.memoryDeltaBytes)}` : ''}`),
        ...test.findings.map(finding => [' ', tag(finding.kind, finding.severity)]).flat(),
      ),
      ...test.findings.map(renderFinding),
      ...test.failureMessages.map(message => h('pre', null, message)),
    );

  const renderTree = (file: FileRecord, tests: readonly TestRecord[]): Node => {
    const container = h('div', null);
    if (file.error !== undefined) container.append(h('pre', {class: 'status-error'}, file.error));
    for (const warning of file.warnings) container.append(h('div', {class: 'warn'}, `⚠ ${warning}`));
    if (file.findings.length > 0) container.append(h('h4', null, 'File and describe scope'), ...file.findings.map(renderFinding));
    const memory = renderMemory(file.memory, file.tests);
    if (memory) container.append(memory);
    // describe blocks as nested details, in declaration order
    const nodes = new Map<string, HTMLElement>();
    const parentFor = (path: readonly string[]): HTMLElement => {
      if (path.length === 0) return container;
      const key = JSON.stringify(path);
      const existing = nodes.get(key);
      if (existing) return existing;
      const parent = parentFor(path.slice(0, -1));
      const body = h('div', {class: 'body'});
      const block = h('details', {class: 'group describe-block', open: ''}, h('summary', null, h('span', {class: 'describe'}, path[path.length - 1] ?? '')), body);
      parent.append(block);
      nodes.set(key, body);
      return body;
    };
    const chunk = tests.slice(0, 500);
    for (const test of chunk) parentFor(test.titlePath.slice(0, -1)).append(renderTest(test));
    if (tests.length > chunk.length) {
      const more = h('button', {type: 'button', class: 'more'}, `Show all ${tests.length} tests`);
      more.addEventListener('click', () => {
        more.remove();
        for (const test of tests.slice(chunk.length)) parentFor(test.titlePath.slice(0, -1)).append(renderTest(test));
      });
      container.append(more);
    }
    return container;
  };

  const fileRank = (file: FileRecord): number => (file.leakStatus === 'leaks' ? 0 : file.status !== 'passed' ? 1 : file.leakStatus === 'unknown' ? 2 : 3);

  const render = (): void => {
    const q = state.q.trim().toLowerCase();
    const rowMatches = (row: TestRow): boolean =>
      (state.status === 'all' ||
        (state.status === 'failed' && row.test.status === 'failed') ||
        (state.status === 'passed' && row.test.status === 'passed') ||
        (state.status === 'skipped' && (row.test.status === 'skipped' || row.test.status === 'todo')) ||
        (state.status === 'leaking' && row.test.findings.length > 0) ||
        (state.status === 'unknown' && row.file.leakStatus === 'unknown')) &&
      (!state.kind || row.test.findings.some(f => f.kind === state.kind)) &&
      (!state.severity || row.test.findings.some(f => f.severity === state.severity)) &&
      (!q || row.haystack.includes(q));
    const groupMatches = (group: Group): boolean =>
      (!state.kind || group.kind === state.kind) &&
      (!state.severity || group.occurrences.some(o => o.finding.severity === state.severity)) &&
      (!q || group.haystack.includes(q)) &&
      (!state.finding || group.occurrences.some(o => o.finding.id === state.finding));

    // leaks first
    const shownGroups = groups.filter(groupMatches);
    leaksSection.replaceChildren(h('h2', {id: 'leaks-h'}, `Leaks by allocation site (${shownGroups.length} site${shownGroups.length === 1 ? '' : 's'})`));
    if (groups.length === 0) leaksSection.append(h('div', {class: 'empty'}, 'No leaks found.'));
    else if (shownGroups.length === 0) leaksSection.append(h('div', {class: 'empty'}, 'No leak matches the filters.'));
    else {
      const list = h('div', {'data-testid': 'leak-groups'});
      leaksSection.append(list);
      paged(list, shownGroups, GROUP_PAGE, group => renderGroup(group, Boolean(state.finding) || shownGroups.length <= 3), 'sites');
    }

    // tests tree
    const filtered = rows.filter(rowMatches);
    const byFile = new Map<FileRecord, TestRecord[]>();
    for (const row of filtered) {
      const list = byFile.get(row.file);
      if (list) list.push(row.test);
      else byFile.set(row.file, [row.test]);
    }
    const unfiltered = !q && state.status === 'all' && !state.kind && !state.severity;
    const fileMatchesAlone = (file: FileRecord): boolean =>
      (unfiltered || (file.tests.length === 0 && (!q || file.path.toLowerCase().includes(q)) && !state.kind && !state.severity && (state.status === 'all' || state.status === 'failed' || state.status === 'unknown'))) &&
      (!state.file || file.path === state.file);
    const files = report.files
      .filter(file => (byFile.has(file) || fileMatchesAlone(file)) && (!state.file || file.path === state.file))
      .sort((a, b) => fileRank(a) - fileRank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    resultCount.textContent = `${filtered.length} of ${rows.length} tests · ${files.length} file${files.length === 1 ? '' : 's'}`;
    testsSection.replaceChildren(h('h2', {id: 'tests-h'}, `Tests by file (${files.length})`));
    const list = h('div', {'data-testid': 'files'});
    testsSection.append(list);
    const autoOpen = !unfiltered && filtered.length <= 200;
    paged(
      list,
      files,
      PAGE,
      file => {
        const tests = byFile.get(file) ?? (unfiltered || fileMatchesAlone(file) ? file.tests : []);
        const failed = file.tests.filter(test => test.status === 'failed').length;
        const findings = file.findings.length + file.tests.reduce((n, test) => n + test.findings.length, 0);
        const summaryEl = h(
          'summary',
          null,
          h('span', {class: `status-${file.status}`}, file.status === 'passed' ? '✓' : '✕'),
          h('b', null, file.path),
          h('span', {class: 'muted'}, `${file.tests.length} tests${failed > 0 ? `, ${failed} failed` : ''} · ${formatMs(file.durationMs)}`),
          findings > 0 && tag(`${findings} finding${findings === 1 ? '' : 's'}`, 'error'),
          file.leakStatus === 'unknown' && tag('not watched', 'warn'),
          file.status === 'error' && tag('failed to run', 'error'),
        );
        return lazyDetails(summaryEl, 'file', () => renderTree(file, tests), autoOpen || state.file === file.path);
      },
      'files',
    );
  };

  let timer: number | undefined;
  const update = (): void => {
    state.q = search.value;
    state.status = statusSelect.value as Status;
    state.kind = kindSelect.value;
    state.severity = severitySelect.value;
    state.finding = '';
    state.file = '';
    writeState(state);
    render();
  };
  search.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 120);
  });
  for (const select of [statusSelect, kindSelect, severitySelect]) select.addEventListener('change', update);
  expandAll.addEventListener('click', () => {
    // Opening renders bodies, which may hold more closed groups: repeat until none is left.
    for (let depth = 0; depth < 32; depth++) {
      const closed = Array.from(root.querySelectorAll<HTMLDetailsElement>('details.group:not([open]), details.file:not([open])'));
      if (closed.length === 0) break;
      for (const el of closed) openDetails(el);
    }
  });
  collapseAll.addEventListener('click', () => {
    for (const el of Array.from(root.querySelectorAll<HTMLDetailsElement>('details.group, details.file'))) el.open = false;
  });
  document.addEventListener('keydown', event => {
    if (event.key === '/' && document.activeElement !== search) {
      event.preventDefault();
      search.focus();
    }
  });
  window.addEventListener('hashchange', () => {
    Object.assign(state, readState());
    search.value = state.q;
    statusSelect.value = state.status;
    kindSelect.value = state.kind;
    severitySelect.value = state.severity;
    render();
  });

  render();
  if (state.finding) document.getElementById(`finding-${state.finding}`)?.scrollIntoView();
  document.documentElement.dataset.ready = 'true';
  performance.mark('leakwatch-ready');
}

loadReport().then(main, (error: unknown) => {
  const app = document.getElementById('app');
  if (app) app.replaceChildren(h('p', {class: 'bad'}, `Could not read the report data: ${error instanceof Error ? error.message : String(error)}`));
  document.documentElement.dataset.ready = 'error';
});
