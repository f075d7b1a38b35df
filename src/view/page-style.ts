/** The timeline page's style sheet, inlined into every page by html.ts. */
export const PAGE_CSS = `
:root { color-scheme: light; --ink: #222; --muted: #777; --line: #ddd; --panel: #fbfbfb; --accent: #674ea7; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
#app { padding: 10px 14px 24px; max-width: 1800px; margin: 0 auto; }
header { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 14px; margin: 0 0 6px; }
h3 { font-size: 12px; margin: 10px 0 4px; text-transform: uppercase; letter-spacing: .03em; color: #555; }
.generator, .muted { color: var(--muted); }
p { margin: 4px 0; }
.run { margin: 4px 0 6px; font-weight: 500; }
.window { background: #fff8e1; border: 1px solid #ffe082; border-radius: 4px; padding: 6px 10px; margin: 6px 0; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; padding: 6px 0; position: sticky; top: 0; background: #fff; z-index: 2; }
.toolbar .sep { width: 10px; }
.status { margin-left: 10px; font-variant-numeric: tabular-nums; color: #333; }
button, select { font: inherit; padding: 3px 8px; border: 1px solid #bbb; border-radius: 4px; background: #f6f6f6; cursor: pointer; }
button:hover { background: #ececec; }
button[aria-pressed="true"] { background: #fde0dc; border-color: var(--bad); }
.stage { width: 100%; border: 1px solid var(--line); border-radius: 4px; overflow: hidden; }
canvas { display: block; cursor: crosshair; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 6px 0 2px; color: #444; font-size: 12px; }
.key { display: inline-flex; align-items: center; gap: 4px; }
.sw { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
.sw.outline { border: 1px solid #3c3c3c; }
.sw.down { clip-path: polygon(0 0, 100% 0, 50% 100%); }
.sw.up { clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.sw.dot { width: 8px; height: 8px; border-radius: 50%; }
.sw.bar { width: 3px; height: 14px; }
.keys { color: var(--muted); font-size: 12px; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px; margin-top: 10px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; min-width: 0; }
.fields { border-collapse: collapse; width: 100%; }
.fields th { text-align: left; font-weight: 500; color: #555; padding: 1px 10px 1px 0; white-space: nowrap; vertical-align: top; }
.fields td { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.chip { display: inline-block; padding: 0 6px; margin: 0 4px 2px 0; border-radius: 8px; background: #e3f2fd; border: 1px solid #90caf9; font-size: 11px; }
.judges ul, .fired ul, .report-list { margin: 0; padding-left: 18px; }
.fired { color: var(--bad); }
.rules { display: flex; flex-wrap: wrap; gap: 3px; }
code.rule { background: #eef; border: 1px solid #ccd; border-radius: 3px; padding: 0 4px; font-size: 11.5px; cursor: help; }
.queues .epochs .published { color: var(--accent); font-weight: 600; }
.queues .epochs .released { color: #2e7d32; font-weight: 600; }
.queue ol { margin: 0; padding-left: 22px; max-height: 220px; overflow: auto; }
.queue li { font-size: 12px; }
.queue li.new { background: #ffebee; }
.freed { background: #e8f5e9; padding: 2px 6px; border-radius: 3px; }
.report-list { max-height: 240px; overflow: auto; }
.report-list li { margin: 2px 0; }
.report-list li.active button { border-color: var(--bad); background: #fde0dc; }
.report { margin-top: 8px; }
.report h3 { color: var(--bad); }
.report dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 4px 0; }
.report dt { color: #555; }
.report dd { margin: 0; }
.excerpt { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11.5px; padding-left: 0; list-style: none; margin: 0; }
.excerpt li { padding: 1px 4px; border-radius: 2px; cursor: pointer; white-space: pre-wrap; word-break: break-all; }
.excerpt li:hover { background: #fff3c4; }
.excerpt li.here { background: #ffd54f; font-weight: 600; }
.lesson { margin: 6px 0; background: #f3f0fa; border-color: #d1c4e9; }
.lesson .intro { color: #444; }
.narration { background: #fff; border-left: 4px solid var(--accent); padding: 6px 10px; margin: 8px 0; }
.step-where { color: var(--muted); font-size: 12px; }
.step-text { font-size: 14px; }
.answer { background: #e8f5e9; padding: 6px 10px; border-radius: 4px; }
`;
