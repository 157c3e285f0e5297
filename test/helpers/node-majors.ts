// Real Node binaries of other majors for the version matrix: WSPY_TEST_NODES (colon-separated paths),
// else the packages installed by `npm ci --prefix test/node-majors` (.ci/run does it). Under CI=true
// they must be there; elsewhere tests skip with a printed reason.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const INSTALLED = path.resolve(__dirname, '..', '..', '..', 'test', 'node-majors', 'node_modules');

export interface NodeBinary {
  path: string;
  version: string;
  major: number;
}

export function otherNodeBinaries(): NodeBinary[] {
  const fromEnv = (process.env.WSPY_TEST_NODES ?? '').split(':').filter(Boolean);
  const installed = fs.existsSync(INSTALLED)
    ? fs.readdirSync(INSTALLED).filter((d) => /^node\d+$/.test(d)).map((d) => path.join(INSTALLED, d, 'bin', 'node'))
    : [];
  const paths = fromEnv.length > 0 ? fromEnv : installed.filter((p) => fs.existsSync(p));
  const binaries = paths.map((p) => {
    const version = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    return { path: p, version, major: Number(version.split('.')[0]) };
  });
  if (binaries.length === 0 && process.env.CI === 'true') {
    throw new Error('CI=true but no Node binaries of other majors: run `npm ci --prefix test/node-majors` (.ci/run does)');
  }
  return binaries.sort((a, b) => a.major - b.major);
}

export const NO_BINARIES_REASON = 'no other Node majors: run `npm ci --prefix test/node-majors` or set WSPY_TEST_NODES';
