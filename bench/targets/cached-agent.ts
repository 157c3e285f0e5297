// The agent bundle loaded through vm.Script with a V8 code cache (measured in fork-cost, not used by
// wspy): compiles dist/bundles/agent.js with the cached data in $WSPY_BENCH_CODE_CACHE when that file
// exists, else compiles it plain and writes the cache at exit, after the agent's exit flush, so that
// the cache holds every function the agent compiled at boot and at exit.
// Usage: node -r cached-agent.js ... with WSPY_BENCH_AGENT (the bundle) and WSPY_BENCH_CODE_CACHE set.
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';

const bundle = process.env.WSPY_BENCH_AGENT ?? '';
const cacheFile = process.env.WSPY_BENCH_CODE_CACHE ?? '';
const source = fs.readFileSync(bundle, 'utf8');
let cachedData: Buffer | undefined;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
const mod = { exports: {} };
wrapper.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
if (!cachedData || script.cachedDataRejected) {
  process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
}
