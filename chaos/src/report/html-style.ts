/** The HTML report's stylesheet (inlined; the page loads nothing). */
export const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header { padding: 1.2rem 2rem; color: #fff; }
header.passed { background: #15803d; } header.failed { background: #b91c1c; }
header.aborted { background: #b45309; } header.error { background: #6b21a8; }
header h1 { margin: 0 0 .3rem; font-size: 1.5rem; }
.badge { font-weight: 700; letter-spacing: .05em; margin: 0; } .meta { opacity: .9; margin: .3rem 0 0; }
main { padding: 1rem 2rem 3rem; max-width: 1200px; }
.hypothesis { font-style: italic; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: .5rem 0 1rem; }
th, td { border: 1px solid #e5e7eb; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { font-family: ui-monospace, monospace; } .empty { color: #6b7280; }
td.pass { color: #15803d; font-weight: 600; } td.fail { color: #b91c1c; font-weight: 600; } td.skip { color: #6b7280; }
figure { margin: 1rem 0; background: #fff; border: 1px solid #e5e7eb; padding: .6rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; } .chart { position: relative; height: 260px; }
`;
