import {cdata, cleanXmlChars, escapeAttr, escapeText, oneLine, serializeXml, truncateMiddle} from '../xml';
import {HOSTILE} from './fixtures';
import {libxml2Validate} from './support/xml';

describe('xml escaping', () => {
  it('strips ANSI (also a cut sequence) and makes invalid XML 1.0 characters visible', () => {
    expect(cleanXmlChars(HOSTILE.control)).toBe(
      'NUL[\\u0000] BEL[\\u0007] BS[\\u0008] VT[\\u000b] FF[\\u000c] ESC[red] half[] FFFE[\\ufffe] lone[\\ud800]',
    );
    expect(cleanXmlChars('tab\tnl\ncr\r ok')).toBe('tab\tnl\ncr\r ok');
    expect(cleanXmlChars(HOSTILE.nonBmp)).toBe(HOSTILE.nonBmp);
    expect(cleanXmlChars('\u0085 C1 controls are legal')).toBe('\u0085 C1 controls are legal');
  });

  it('escapes attributes including quotes and whitespace that parsers would normalize', () => {
    expect(escapeAttr(`a&b<c>d"e'f\ng\rh\ti`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f&#10;g&#13;h&#9;i');
    expect(escapeAttr(HOSTILE.dollar)).toBe('replacement $&amp; and $1 and $` and ${x}');
  });

  it('escapes text', () => {
    expect(escapeText('<b>&amp; ]]>')).toBe('&lt;b&gt;&amp;amp; ]]&gt;');
  });

  it('returns plain printable ASCII as it is, and escapes any one special character in it', () => {
    const plain = 'suite - returns 200 for GET /health (#12, 50%) [a=b; c: d] {x} ~ `y` | z';
    expect(escapeAttr(plain)).toBe(plain);
    expect(escapeText(`${plain}\n\t"quoted" 'too'`)).toBe(`${plain}\n\t"quoted" 'too'`);
    for (const [char, attr] of [['&', '&amp;'], ['<', '&lt;'], ['>', '&gt;'], ['"', '&quot;'], ["'", '&apos;'], ['\n', '&#10;'], ['\t', '&#9;'], ['\u001b[31m', ''], ['\u0000', '\\u0000'], ['\u007f', '\u007f'], ['é', 'é']]) {
      expect(escapeAttr(`${plain}${char}`)).toBe(`${plain}${attr}`);
    }
    expect(escapeText(`${plain}&<>\u001b[1m\u0001`)).toBe(`${plain}&amp;&lt;&gt;\\u0001`);
    // The length cap still applies to plain text (before escaping, as for any text).
    expect(escapeAttr('x'.repeat(5000))).toMatch(/^x+&#10;…\[truncated \d+ characters\]…&#10;x+$/);
  });

  it('splits ]]> across CDATA sections', () => {
    expect(cdata('a]]>b]]>')).toBe('<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>');
  });

  it('caps long text keeping head and tail, never splitting a surrogate pair', () => {
    const long = 'x'.repeat(100_000);
    const capped = truncateMiddle(long, 1000);
    expect(capped.length).toBeLessThanOrEqual(1000);
    expect(capped).toContain('[truncated 99000 characters]');
    const emoji = '🚀'.repeat(600);
    for (let max = 100; max < 140; max++) {
      const cut = truncateMiddle(emoji, max);
      expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });

  it('makes a one-line message', () => {
    expect(oneLine('\n\n  first   line\nsecond')).toBe('first line');
    expect(oneLine('y'.repeat(400)).length).toBe(300);
  });

  it('serializes hostile content into XML that libxml2 parses', () => {
    const hostile = Object.values(HOSTILE).join(' | ');
    const xml = serializeXml({
      name: 'root',
      attributes: [['a', hostile], ['skip', undefined]],
      children: [{name: 'text', text: hostile}, {name: 'empty'}],
    });
    expect(xml).not.toContain('skip=');
    expect(libxml2Validate(xml)).toEqual({ok: true, errors: []});
    expect(xml).toMatchSnapshot();
  });
});
