// Text from profiled processes (frame names, file names, command lines) printed to a terminal: a
// program must not be able to move the cursor, clear the screen or retitle the window through
// wspy's output, so every control character is shown as an escape instead.

/** C0 and C1 control characters, DEL, and the line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `s` with every control character written as `\xNN` (or `\uNNNN`): safe to print on a terminal. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
