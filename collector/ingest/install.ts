// Where wspy's own files are once built: the agent's bundles that profiled processes load by absolute
// path, @datadog/pprof's prebuilt native bindings, and the package version.

import * as fs from 'fs';
import * as path from 'path';
import { DORMANT_BUNDLE_NAME, LISTENER_BUNDLE_NAME } from '../../agent/dormant-dir';

/** dist/, two levels above dist/collector/ingest/. */
const distDir = path.resolve(__dirname, '..', '..');
export const AGENT_BUNDLE = path.join(distDir, 'bundles', 'agent.js');
export const DORMANT_BUNDLE = path.join(distDir, 'bundles', DORMANT_BUNDLE_NAME);
/** The dormant agent's listener thread (agent/listener-thread.ts), beside it. */
export const LISTENER_BUNDLE = path.join(distDir, 'bundles', LISTENER_BUNDLE_NAME);
export const STREAM_BUNDLE = path.join(distDir, 'bundles', 'agent-stream.js');

export function pprofBindingsDir(): string {
  const pkg = path.dirname(require.resolve('@datadog/pprof/package.json'));
  return path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
}

let version: string | undefined;
export function wspyVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(distDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
