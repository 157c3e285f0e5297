// The one list of outputs: every name -f accepts, the extension of a made-up file name and the
// format a file name asks for come from it, and they agree with each other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extensionFor, formatFromPath, isDirectoryOutput, OUTPUT_FORMATS, outputFor } from '../../viewer/outputs';

test('every output is listed under its own name, html first', () => {
  assert.deepEqual(OUTPUT_FORMATS, ['html', 'svg', 'speedscope', 'pprof', 'collapsed', 'json', 'cpuprofile']);
  for (const format of OUTPUT_FORMATS) assert.equal(outputFor(format).name, format);
});

test('a made-up file name of each format is read back as that format', () => {
  for (const format of OUTPUT_FORMATS) {
    // A directory of files (cpuprofile) is asked for with -f only: no name ending chooses it.
    if (isDirectoryOutput(format)) {
      assert.equal(formatFromPath(`wspy-report${extensionFor(format)}`), undefined);
      continue;
    }
    const ext = extensionFor(format);
    assert.ok(outputFor(format).endings.includes(ext), `${format}: ${ext} is one of its endings`);
    assert.equal(formatFromPath(`wspy-report${ext}`), format);
  }
  assert.equal(extensionFor('json'), '.json');
  assert.equal(formatFromPath('a/b/p.json.gz'), 'json');
  assert.equal(formatFromPath('p.speedscope.json'), 'speedscope');
  assert.equal(formatFromPath('P.HTM'), 'html');
  assert.equal(formatFromPath('p.xyz'), undefined);
});
