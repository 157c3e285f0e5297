// The importer fixtures that have golden folded outputs, shared by the test and by
// test/fixtures/formats/make-golden.js (which rewrites the goldens).

import * as path from 'node:path';
import { exporterFor, importFiles } from '../../collector/formats';

export interface GoldenCase {
  name: string;
  paths: string[];
}

export function goldenCases(root: string): GoldenCase[] {
  const foreign = (f: string) => path.join(root, '../shared/fixtures/foreign', f);
  const ours = (f: string) => path.join(root, 'test/fixtures/formats', f);
  return [
    { name: 'chrome-65-simple', paths: [foreign('Chrome-65-simple.cpuprofile')] },
    { name: 'node-10-example', paths: [foreign('node-10.11.0-example.cpuprofile')] },
    { name: 'go-pprof-simple', paths: [foreign('pprof-simple.prof')] },
    { name: 'speedscope-two-sampled', paths: [foreign('speedscope-0.6.0-two-sampled.speedscope.json')] },
    { name: 'stackcollapse-recursion', paths: [foreign('stackcollapse-recursion.txt')] },
    { name: 'stackcollapse-with-invalids', paths: [foreign('stackcollapse-simple-with-invalids.txt')] },
    { name: 'node20-cpu-prof-fork', paths: [ours('cpuprofiles-node20')] },
    { name: 'node22-cpu-prof-fork', paths: [ours('cpuprofiles-node22')] },
    { name: 'datadog-time', paths: [ours('datadog-time.pb.gz')] },
  ];
}

/** Everything the importers found, idle included, one `pid N: command` frame per process. */
export function goldenText(paths: string[]): string {
  const { recording } = importFiles(paths);
  return exporterFor('collapsed').write(recording, { processFrames: true, idle: true }) as string;
}
