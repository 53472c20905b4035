/** Stylesheet of report.html; allowed by its hash in the page's CSP. Light/dark from the system. */
export const HTML_STYLES = `
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--panel:#f6f8fa;--red:#cf222e;--yellow:#9a6700;--green:#1a7f37;--blue:#0969da;--focus:#0969da;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--border:#3d444d;--panel:#151b23;--red:#ff7b72;--yellow:#d29922;--green:#3fb950;--blue:#4493f8;--focus:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg)}
main{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:24px 0 8px}
.meta,.muted{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{border:1px solid var(--border);border-radius:6px;padding:8px 12px;background:var(--panel);min-width:110px}
.card b{display:block;font-size:20px}
.bad{color:var(--red)}.warn{color:var(--yellow)}.good{color:var(--green)}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;position:sticky;top:0;background:var(--bg);padding:8px 0;border-bottom:1px solid var(--border);z-index:1}
input,select,button{font:inherit;color:inherit;background:var(--panel);border:1px solid var(--border);border-radius:6px;padding:4px 8px}
input[type=search]{min-width:260px;flex:1}
button{cursor:pointer}
:focus-visible{outline:2px solid var(--focus);outline-offset:1px}
.group,.file{border:1px solid var(--border);border-radius:6px;margin:8px 0;background:var(--bg)}
.group>summary,.file>summary{padding:6px 10px;cursor:pointer;display:flex;gap:8px;flex-wrap:wrap;align-items:baseline}
.group[open]>summary,.file[open]>summary{border-bottom:1px solid var(--border);background:var(--panel)}
.body{padding:6px 10px}
.tag{display:inline-block;border:1px solid var(--border);border-radius:10px;padding:0 6px;font-size:12px}
.tag.error{border-color:var(--red);color:var(--red)}.tag.warn{border-color:var(--yellow);color:var(--yellow)}
.test{padding:3px 0 3px 0;border-top:1px solid var(--border)}
.test:first-child{border-top:0}
.status-passed{color:var(--green)}.status-failed,.status-error{color:var(--red)}.status-skipped,.status-todo{color:var(--muted)}
.describe{color:var(--muted)}
pre{white-space:pre-wrap;word-break:break-word;background:var(--panel);border:1px solid var(--border);border-radius:6px;padding:6px 8px;margin:4px 0;max-height:360px;overflow:auto;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
.frames .folded{color:var(--muted)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.more{margin:8px 0}
table{border-collapse:collapse;margin:4px 0}
td,th{border:1px solid var(--border);padding:2px 8px;text-align:left;font-size:13px}
svg.chart{display:block;max-width:100%;height:auto}
svg.chart rect.bar{fill:var(--blue)}
svg.chart rect.bar.neg{fill:var(--green)}
svg.chart text{fill:var(--muted);font-size:10px}
.empty{padding:8px;color:var(--muted)}
@media print{.toolbar{position:static}details{break-inside:avoid}}
`;
