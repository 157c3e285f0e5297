// --open: hands the report to the desktop's default browser. The opener (xdg-open, open, explorer)
// is given a moment to fail: with no browser or no desktop it exits non-zero at once, and the user
// is told so instead of waiting for a window that never comes. One that runs on is left to itself.
import { spawn } from 'child_process';
import * as path from 'path';
import * as log from './log';

/** How long the opener gets to say it failed before wspy stops waiting for it. */
const OPENER_VERDICT_MS = 3000;

export function openInBrowser(file: string): Promise<void> {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const failed = (why: string) => log.warn(`--open: could not open the report (${why}); open ${file} in a browser yourself`);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(opener, [path.resolve(file)], { stdio: 'ignore', detached: true });
    } catch (err) {
      failed(`${opener}: ${(err as Error).message}`);
      return resolve();
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, OPENER_VERDICT_MS);
    timer.unref();
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      failed(err.code === 'ENOENT' ? `${opener} was not found` : `${opener}: ${err.message}`);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // explorer.exe exits 1 even when it opened the file.
      if ((code !== 0 && !(process.platform === 'win32' && code === 1)) || signal) {
        failed(`${opener} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: no browser or no desktop?`);
      }
      resolve();
    });
  });
}
