// The browser code of a page (report.js, diff.js), built by scripts/build.mjs next to the compiled
// viewer (dist/bundles/), with the CSS that esbuild writes beside it (d3-flame-graph's stylesheet).

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface Bundle {
  js: string;
  css: string;
}

const cache = new Map<string, Bundle>();

export function loadBundle(name: 'report' | 'diff'): Bundle {
  const known = cache.get(name);
  if (known) return known;
  const dir = path.join(__dirname, '..', 'bundles');
  const jsPath = path.join(dir, `${name}.js`);
  if (!existsSync(jsPath)) throw new Error(`the page's browser code is missing (${jsPath}); run npm run build`);
  const cssPath = path.join(dir, `${name}.css`);
  const bundle = { js: readFileSync(jsPath, 'utf8'), css: existsSync(cssPath) ? readFileSync(cssPath, 'utf8') : '' };
  cache.set(name, bundle);
  return bundle;
}
