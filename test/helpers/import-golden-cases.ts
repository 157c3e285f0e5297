// The importer fixtures and their golden folded outputs (test/fixtures/formats/<golden>.folded), shared
// by checkImporter (test/helpers/check-importer.ts), the importer tests and
// test/fixtures/formats/make-golden.js (which rewrites the goldens).

import * as path from 'node:path';
import { exporterFor, importFiles } from '../../collector/formats';
import { Recording } from '../../collector/model';
import type { CheckImporterOptions } from './check-importer';
import { ROOT } from './wspy';

export const FORMAT_FIXTURES = path.join(ROOT, 'test/fixtures/formats');
export const FOREIGN_FIXTURES = path.join(ROOT, '../shared/fixtures/foreign');

/** One fixture (a file, or a directory of files imported together) and what checkImporter expects of it. */
export interface GoldenCase extends CheckImporterOptions {
  file: string;
  /** The golden output is test/fixtures/formats/<golden>.folded. */
  golden: string;
}

export function goldenCases(root: string = ROOT): GoldenCase[] {
  const foreign = (f: string) => path.join(root, '../shared/fixtures/foreign', f);
  const ours = (f: string) => path.join(root, 'test/fixtures/formats', f);
  return [
    { golden: 'chrome-65-simple', file: foreign('Chrome-65-simple.cpuprofile') },
    { golden: 'node-10-example', file: foreign('node-10.11.0-example.cpuprofile') },
    { golden: 'go-pprof-simple', file: foreign('pprof-simple.prof') },
    { golden: 'speedscope-two-sampled', file: foreign('speedscope-0.6.0-two-sampled.speedscope.json') },
    { golden: 'stackcollapse-recursion', file: foreign('stackcollapse-recursion.txt') },
    { golden: 'stackcollapse-with-invalids', file: foreign('stackcollapse-simple-with-invalids.txt') },
    // Node's --cpu-prof writes each process's pid only into the file's name (CPU.<date>.<time>.<pid>...).
    { golden: 'node20-cpu-prof-fork', file: ours('cpuprofiles-node20'), pidFromFileName: true },
    { golden: 'node22-cpu-prof-fork', file: ours('cpuprofiles-node22'), pidFromFileName: true },
    { golden: 'datadog-time', file: ours('datadog-time.pb.gz') },
  ];
}

/** The golden file of a case name, or the path itself when it is one. */
export function goldenFile(golden: string, root: string = ROOT): string {
  return golden.includes('/') ? golden : path.join(root, 'test/fixtures/formats', `${golden}.folded`);
}

/** Everything in the recording, idle included, one `pid N: command` frame per process. */
export function foldedText(recording: Recording): string {
  return exporterFor('collapsed').write(recording, { idle: true }) as string;
}

/** What the importers make of a fixture (file or directory), as its golden output is written. */
export function goldenText(file: string): string {
  return foldedText(importFiles([file]).recording);
}
