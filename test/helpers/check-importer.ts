// The one check every importer fixture goes through (checkImporter):
//   (a) golden: the import, as folded stacks with a `pid N: command` frame per process, idle included,
//       equals test/fixtures/formats/<golden>.folded;
//   (b) the name does not pick the format: every file's bytes imported without their file name give the
//       same Recording, apart from what a name says by design (see `fromName` below);
//   (c) wspy json round trip: export, import, export again gives identical bytes, and the re-imported
//       Recording equals the import and gives the same golden output.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exporterFor, importBytes, importFiles } from '../../collector/formats';
import { Recording } from '../../collector/model';
import { foldedText, goldenCases, goldenFile } from './import-golden-cases';

/**
 * Expectations of one fixture. Format detection relies on no fixture's name today: each of them, imported
 * as importBytes(bytes, ''), is read by the same importer into the same Recording. A fixture whose
 * detection genuinely needs its extension gets an option here, set with a comment saying why, rather
 * than being left out of (b).
 */
export interface CheckImporterOptions {
  /** The golden output: a name in test/fixtures/formats (`<name>.folded`) or a path. Default: the fixture's golden case. */
  golden?: string;
  /**
   * The file's name carries its pid and the file does not (Node's --cpu-prof names its files
   * CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile): without the name, the process is pid 0. The pid in
   * the name must be the one the named import has.
   */
  pidFromFileName?: boolean;
}

/** The name (b) imports every file with: no name at all, so no extension to go by. */
const NO_NAME = '';

/** The files of a fixture: itself, or a directory's files walked in name order as importFiles does. */
function filesOf(fixture: string): string[] {
  if (!fs.statSync(fixture).isDirectory()) return [fixture];
  return fs
    .readdirSync(fixture, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => filesOf(path.join(fixture, e.name)));
}

/**
 * The Recording `named` (imported under `fileName`) should be when imported without a name. Names
 * supply, by design, a title (every importer's default title is the file's name) and the command of a
 * process the file names no command for (it is then the file's name); with `pidFromFileName`, the pid.
 */
function expectedWithoutName(named: Recording, fileName: string, opts: CheckImporterOptions): Recording {
  const inner = fileName.replace(/\.gz$/i, ''); // the importers see the name inside the gzip wrapper
  const want = structuredClone(named);
  if (want.meta.title === inner) want.meta.title = NO_NAME;
  for (const p of want.processes) {
    if (p.command === inner) p.command = NO_NAME;
    if (opts.pidFromFileName) {
      assert.equal(String(p.pid), fileName.split('.')[3], `${fileName}: the pid is the one in the file's name`);
      p.pid = 0;
      p.key = '0';
    }
  }
  return want;
}

/**
 * Runs checks (a), (b) and (c) above on a fixture (a file, or a directory of files imported together)
 * and returns what importFiles made of it, for a test's own further assertions.
 */
export function checkImporter(file: string, opts: CheckImporterOptions = {}): ReturnType<typeof importFiles> {
  const known = goldenCases().find((c) => path.resolve(c.file) === path.resolve(file));
  const o: CheckImporterOptions = { ...known, ...opts };
  if (o.golden === undefined) throw new Error(`${file} has no golden output: give opts.golden or add it to goldenCases`);
  const goldenPath = goldenFile(o.golden);
  const golden = fs.readFileSync(goldenPath, 'utf8');

  // (a) The golden output.
  const imported = importFiles([file]);
  const { recording } = imported;
  check(`${file}: golden output ${goldenPath}`, () => assert.equal(foldedText(recording), golden));

  // (b) Each file without its name: the same importer, the same Recording.
  for (const f of filesOf(file)) {
    const bytes = fs.readFileSync(f);
    const name = path.basename(f);
    const named = importBytes(bytes, name);
    let unnamed: Recording;
    try {
      unnamed = importBytes(bytes, NO_NAME);
    } catch (e) {
      throw new Error(`${f}: imported without its file name: ${(e as Error).message}`);
    }
    check(`${f}: the same importer reads it without its name`, () => assert.equal(unnamed.meta.source, named.meta.source));
    check(`${f}: the same Recording without its name`, () => assert.deepEqual(unnamed, expectedWithoutName(named, name, o)));
  }

  // (c) wspy json round trip.
  const json = exporterFor('json');
  const first = json.write(recording) as string;
  const back = importBytes(Buffer.from(first), NO_NAME);
  check(`${file}: json export -> import -> export gives identical bytes`, () => assert.equal(json.write(back), first));
  check(`${file}: json import gives the Recording back`, () => assert.deepEqual(back, recording));
  check(`${file}: json round trip keeps the golden output`, () => assert.equal(foldedText(back), golden));
  return imported;
}

/** Runs an assertion and puts `what` before its message, keeping the assertion's own diff. */
function check(what: string, assertion: () => void): void {
  try {
    assertion();
  } catch (e) {
    if (e instanceof Error) e.message = `${what}\n${e.message}`;
    throw e;
  }
}
