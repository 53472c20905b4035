import {createHash} from 'node:crypto';
import {gzipSync} from 'node:zlib';
import type {RunReport} from '@leakwatch/core';
import {HTML_STYLES} from './htmlStyles';

export interface HtmlOptions {
  title: string;
}

const HTML_ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, char => HTML_ESCAPES[char] ?? char);
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The client bundle goes inside `<script>`: a literal `</script` or `<!--` in it would end or
 * confuse the element, so they are broken up (both only occur inside strings or regexps).
 */
export function inlineScript(source: string): string {
  return source.split('</script').join('<\\/script').split('<!--').join('<\\!--');
}

/**
 * The report as gzip + base64: no character of the data can be markup, and 10,000 tests stay
 * small. The client inflates it with DecompressionStream. Node's gzip header has no mtime,
 * so the same report gives the same bytes.
 */
export function encodeReportData(report: RunReport): string {
  return gzipSync(Buffer.from(JSON.stringify(report), 'utf8'), {level: 6}).toString('base64');
}

/**
 * One self-contained HTML file: strict CSP (only this script and this stylesheet, by hash;
 * no network of any kind), data embedded as base64, the client bundle inlined.
 */
export function renderHtml(report: RunReport, clientBundle: string, options: HtmlOptions = {title: 'Leakwatch report'}): string {
  const script = inlineScript(clientBundle);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(HTML_STYLES)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${HTML_STYLES}</style>`,
    '</head>',
    '<body>',
    `<noscript>This report needs JavaScript to render. The same data is in leakwatch.json next to this file.</noscript>`,
    '<div id="app"><p class="loading">Loading report…</p></div>',
    `<script type="application/octet-stream" id="leakwatch-data" data-encoding="gzip+base64">${encodeReportData(report)}</script>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
