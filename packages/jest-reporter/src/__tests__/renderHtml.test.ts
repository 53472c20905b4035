import {createHash} from 'node:crypto';
import {gunzipSync} from 'node:zlib';
import {encodeReportData, escapeHtml, inlineScript, renderHtml} from '../renderHtml';
import {HOSTILE, sampleReport} from './fixtures';

describe('renderHtml', () => {
  const bundle = 'var s = "</script><!-- x"; document.body.dataset.ok = "1";';
  const html = renderHtml(sampleReport(), bundle, {title: HOSTILE.script});

  it('escapes the title and never lets data or the bundle close a script element', () => {
    expect(html).toContain(`<title>${escapeHtml(HOSTILE.script)}</title>`);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('var s = "<\\/script><\\!-- x"');
    expect(html).not.toContain('<img');
  });

  it('embeds the report as gzip+base64 that decodes to the exact JSON', () => {
    const match = /<script type="application\/octet-stream" id="leakwatch-data" data-encoding="gzip\+base64">([A-Za-z0-9+/=]+)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    expect(JSON.parse(gunzipSync(Buffer.from(match?.[1] ?? '', 'base64')).toString('utf8'))).toEqual(sampleReport());
  });

  it('allows exactly the inlined script and style by hash', () => {
    const script = inlineScript(bundle);
    const hash = createHash('sha256').update(script).digest('base64');
    expect(html).toContain(`script-src &#39;sha256-${hash}&#39;`);
    expect(html).toContain(`<script>${script}</script>`);
    expect(html).toMatch(/default-src &#39;none&#39;/);
  });

  it('is byte-identical for the same input', () => {
    expect(renderHtml(sampleReport(), bundle, {title: HOSTILE.script})).toBe(html);
    expect(encodeReportData(sampleReport())).toBe(encodeReportData(sampleReport()));
  });
});
