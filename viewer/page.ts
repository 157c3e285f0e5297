// The shell every wspy page shares: one self-contained HTML document with its styles, its data (as
// escaped JSON that the browser parses, never evaluates) and its browser bundle inlined, under a
// Content-Security-Policy that allows no network and runs only the script carrying this page's nonce,
// so even markup that slipped into the page could not run a handler.

import { randomBytes } from 'node:crypto';
import { loadBundle } from './bundle';
import { escapeHtml as h, inlineSafe, jsonForScript } from './escape';
import { REPORT_CSS } from './style';

export interface PageParts {
  title: string;
  bundle: 'report' | 'diff';
  /** CSS beyond the report's own. */
  css?: string;
  /** `<meta name="generator">`, when known. */
  generator?: string;
  /** Already-escaped markup of the body, before the data and the script. */
  body: string;
  dataElementId: string;
  data: unknown;
}

export function renderPage(p: PageParts): string {
  const nonce = randomBytes(18).toString('base64');
  const bundle = loadBundle(p.bundle);
  // base64 and fixed words only: no escaping needed inside the attribute's double quotes.
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:`;
  const generator = p.generator ? `\n<meta name="generator" content="${h(p.generator)}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">${generator}
<title>${h(p.title)}</title>
<style>${inlineSafe(bundle.css + REPORT_CSS + (p.css ?? ''), 'style')}</style>
</head>
<body>
${p.body}
<div id="tooltip" role="tooltip" hidden></div>
<script id="${p.dataElementId}" type="application/json">${jsonForScript(p.data)}</script>
<script nonce="${h(nonce)}">${inlineSafe(bundle.js, 'script')}</script>
</body>
</html>
`;
}
