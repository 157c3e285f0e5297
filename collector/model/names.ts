// How frames and processes are named for people: `function (file:line)` with paths shortened to the
// package (`sequelize/lib/model.js:120`) or to the project (`src/jobs/send.js:12`). Pure.

import { FrameIndex, ProcessRecord, Recording } from './recording';

const NODE_MODULES = /^.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](.*)$/;

/** Shortens a script path for display; `cwd` is the project root the recording ran in. */
export function displayFile(file: string, cwd?: string): string {
  let f = file.startsWith('file://') ? decodeURIComponentSafe(file.slice(7)) : file;
  const m = NODE_MODULES.exec(f);
  if (m) return `${m[1].replace(/\\/g, '/')}/${m[2]}`;
  if (cwd && f.startsWith(cwd.endsWith('/') ? cwd : cwd + '/')) f = f.slice(cwd.length).replace(/^[\\/]/, '');
  return f;
}

/** The package a script belongs to (`sequelize`, `@org/pkg`), or undefined for project and Node files. */
export function packageOf(file: string): string | undefined {
  const m = NODE_MODULES.exec(file);
  return m ? m[1].replace(/\\/g, '/') : undefined;
}

export function functionName(name: string): string {
  return name === '' ? '(anonymous)' : name;
}

/** `function (file:line)`, or the bare name for frames with no script ((idle), (program), ...). */
export function frameLabel(r: Recording, f: FrameIndex): string {
  const name = functionName(r.strings[r.frames.name[f]]);
  const file = r.strings[r.frames.file[f]];
  if (!file) return name;
  const line = r.frames.line[f];
  const shown = displayFile(file, r.meta.cwd);
  return line > 0 ? `${name} (${shown}:${line})` : `${name} (${shown})`;
}

/** A short command line for a process: `node worker.js --flag`, without the node binary's full path. */
export function commandLabel(argv: string[], cwd?: string): string {
  if (argv.length === 0) return '?';
  const [exe, ...rest] = argv;
  const base = exe.split(/[\\/]/).pop() || exe;
  const args = rest.map((a) => (a.startsWith('/') ? displayFile(a, cwd) : a));
  return [base, ...args].join(' ');
}

/** `pid 1234: node worker.js`, the label of a process node in flame graphs. */
export function processLabel(p: ProcessRecord): string {
  const host = p.host ? `${p.host} ` : '';
  const thread = p.thread === undefined ? '' : ` thread ${p.thread}`;
  return `${host}pid ${p.pid}${thread}: ${p.command}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
