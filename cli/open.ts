// --open: hands the report to the desktop's default browser, without waiting for it.
import { spawn } from 'child_process';
import * as path from 'path';
import * as log from './log';

export function openInBrowser(file: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [path.resolve(file)], { stdio: 'ignore', detached: true });
    child.on('error', () => log.warn(`could not start ${opener}; open ${file} yourself`));
    child.unref();
  } catch {
    log.warn(`could not start ${opener}; open ${file} yourself`);
  }
}
