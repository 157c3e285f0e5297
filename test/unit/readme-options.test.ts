// The README's option tables and the --help screens agree: every option of every command has a row
// in its command's table, and every row names an option the command has.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildProgram } from '../../cli/main';
import { ROOT } from '../helpers/wspy';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The `### wspy <name>` section, up to the next heading of the same or a higher level. */
function section(name: string): string {
  const start = readme.indexOf(`### wspy ${name}\n`);
  assert.ok(start >= 0, `README has a "### wspy ${name}" section`);
  const rest = readme.slice(readme.indexOf('\n', start) + 1);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** `-p, --pid <pid>` in the first cell of a table row → ['-p', '--pid']. */
function tableFlags(text: string): string[] {
  const flags: string[] = [];
  for (const m of text.matchAll(/^\| `([^`]+)` \|/gm)) {
    for (const part of m[1].split(/,\s*/)) {
      const flag = part.trim().split(/\s/)[0];
      if (flag.startsWith('-')) flags.push(flag);
    }
  }
  return flags;
}

const program = buildProgram();

test('every command has a README section with a table of exactly its options', () => {
  assert.ok(program.commands.length >= 5);
  for (const command of program.commands) {
    const documented = tableFlags(section(command.name())).sort();
    const actual = command.options
      .flatMap((o) => [o.short, o.long])
      .filter((f): f is string => Boolean(f))
      .sort();
    assert.deepEqual(documented, actual, `wspy ${command.name()}: README table vs --help`);
  }
});

test('every --help ends with examples', () => {
  for (const command of [program, ...program.commands]) {
    let help = '';
    command.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
    command.outputHelp();
    // addHelpText output goes through the 'afterHelp' event, written with the same writer.
    assert.match(help, /\nExamples:\n {2}wspy /, `${command.name()} --help has examples`);
  }
});
