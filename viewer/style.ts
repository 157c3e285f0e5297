// The report's stylesheet, inlined into the page (nothing is fetched: system fonts only).

export const REPORT_CSS = `
:root {
  --fg: #1d2430; --muted: #5d6878; --line: #dfe3ea; --bg: #f6f7f9; --panel: #fff; --accent: #2f6fde;
  --bad: #b3261e; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header.top { padding: 18px 24px 14px; background: var(--panel); border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0 0 6px; font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0; color: var(--muted); }
.facts div { display: flex; gap: 6px; }
.facts dt { margin: 0; }
.facts dd { margin: 0; color: var(--fg); font-weight: 600; font-variant-numeric: tabular-nums; }
.command { margin: 8px 0 0; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted);
  overflow-wrap: anywhere; }
main { padding: 16px 24px 32px; display: flex; flex-direction: column; gap: 16px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.panel h2 { margin: 0 0 10px; font-size: 16px; font-weight: 600; }
.panel h2 small { font-weight: 400; color: var(--muted); font-size: 13px; margin-left: 8px; }
#repeated:empty { display: none; }
#repeated { border-left: 4px solid #d62d20; }
.finding { margin: 0 0 6px; font-size: 15px; line-height: 1.5; max-width: 72em; }
.finding-note { margin: 0 0 12px; color: var(--muted); font-size: 13px; max-width: 80em; }
table.findings { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 13px; }
table.findings th, table.findings td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.findings th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
table.findings td.num, table.findings th.num { text-align: right; white-space: nowrap; }
table.findings td.fn { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table.findings td.family { color: var(--muted); font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table.findings td.advice { color: var(--muted); }
table.findings .within { display: block; color: var(--muted); font: 12px system-ui, sans-serif; }
table.findings tr.nested td.fn { padding-left: 28px; }
table.findings tbody tr { cursor: pointer; }
table.findings tbody tr:hover, table.findings tbody tr:focus { background: #f0f4fb; outline: none; }
table.findings tbody tr.selected { background: #fde8e6; }
table.findings .bar { display: inline-block; width: 48px; height: 8px; margin-right: 8px; border-radius: 2px; vertical-align: 0;
  background: linear-gradient(90deg, #d62d20 var(--share), #eceef2 var(--share)); }
.legend[hidden] { display: none; }
#timeline .legend { margin: 0 0 8px; }
.timeline-lanes { overflow-y: auto; overflow-x: hidden; }
.timeline-lanes canvas { display: block; cursor: pointer; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; margin-bottom: 10px; }
.toolbar input[type=search] { width: 22em; max-width: 60vw; padding: 5px 8px; border: 1px solid #c5ccd6; border-radius: 5px;
  font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.toolbar input[aria-invalid=true] { border-color: var(--bad); outline-color: var(--bad); }
.toolbar label { display: inline-flex; align-items: center; gap: 6px; cursor: pointer; user-select: none; }
.toolbar button { padding: 5px 12px; border: 1px solid #c5ccd6; border-radius: 5px; background: #fff; cursor: pointer; font: inherit; }
.toolbar button:hover { border-color: var(--accent); }
.search-result { color: var(--muted); font-variant-numeric: tabular-nums; min-height: 1.4em; }
.search-result.invalid { color: var(--bad); }
.legend { display: flex; gap: 12px; margin-left: auto; color: var(--muted); font-size: 12px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; background: var(--swatch); }
#chart { width: 100%; min-height: 120px; overflow-x: hidden; }
#chart .d3-flame-graph rect { stroke: #fff; stroke-width: 0.6; fill-opacity: 1; }
#chart .d3-flame-graph g:hover rect { stroke: #222; stroke-width: 0.8; cursor: pointer; }
#chart .d3-flame-graph .fade { opacity: 0.55 !important; }
#chart .d3-flame-graph-label { font: 11.5px/18px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111;
  margin: 0 4px; padding: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.details { margin: 8px 0 0; min-height: 1.45em; color: var(--muted); font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.failure { color: var(--bad); }
#tooltip { position: absolute; z-index: 10; max-width: min(640px, 90vw); padding: 7px 10px; border-radius: 6px; pointer-events: none;
  background: rgba(20, 24, 32, 0.94); color: #fff; font-size: 12.5px; line-height: 1.5; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
#tooltip .tip-name { font-weight: 600; overflow-wrap: anywhere; }
#tooltip .tip-process { color: #b8c4d6; }
#tooltip .tip-repeat { color: #ffb4a8; }
table.processes { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.processes th, table.processes td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.processes th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
table.processes td.num, table.processes th.num { text-align: right; }
table.processes td.cmd { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table.processes tbody tr { cursor: pointer; }
table.processes tbody tr:hover { background: #f0f4fb; }
table.processes .depth { color: var(--muted); }
.exit-bad { color: var(--bad); font-weight: 600; }
.errors { color: var(--bad); font-size: 12px; overflow-wrap: anywhere; }
footer { padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
`;
