// Builds wspy: type-checks and compiles the TypeScript to dist/, then bundles with esbuild what must
// load fast or run elsewhere: the agent (one small file, no dependencies, loaded by every profiled
// process), the dormant agent of prepared processes, its streaming half (ws, loaded only by processes that live long enough), and the
// report pages' browser code (d3-flame-graph, inlined into every HTML report and diff page).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// A clean dist/: a module that moved must not leave its old compiled file behind, where Node's
// resolution would still find it (`../model` resolves to model.js before model/index.js).
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit', cwd: root });

const node = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning' };
// The report pages' browser code: d3-flame-graph and our views, inlined into every HTML file.
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2019', minify: true, logLevel: 'warning' };
await Promise.all([
  esbuild.build({ ...node, entryPoints: [path.join(root, 'agent/boot.ts')], outfile: path.join(root, 'dist/bundles/agent.js') }),
  // The dormant agent of prepared processes: one timer at boot, the full agent only when activated.
  esbuild.build({ ...node, entryPoints: [path.join(root, 'agent/dormant.ts')], outfile: path.join(root, 'dist/bundles/agent-dormant.js') }),
  // Its listener thread, started by a prepared process that lives a second: serves the dormant socket and dumps.
  esbuild.build({ ...node, entryPoints: [path.join(root, 'agent/listener-thread.ts')], outfile: path.join(root, 'dist/bundles/agent-listener.js') }),
  esbuild.build({
    ...node,
    entryPoints: [path.join(root, 'agent/stream.ts')],
    outfile: path.join(root, 'dist/bundles/agent-stream.js'),
    // ws loads these optional native speed-ups when present; the agent never needs them.
    external: ['bufferutil', 'utf-8-validate'],
  }),
  ...['report', 'diff'].map((page) =>
    esbuild.build({
      ...browser,
      entryPoints: [path.join(root, `viewer/browser/${page}.ts`)],
      outfile: path.join(root, `dist/bundles/${page}.js`),
    }),
  ),
]);
