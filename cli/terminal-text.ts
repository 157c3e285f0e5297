// The one escape for text wspy prints to a terminal. Frame names, script names, command lines and
// queue names come from profiled programs: printed raw, a control character in them (ESC starting a
// CSI/OSC sequence, a C1 CSI, BEL, CR, DEL) would be obeyed by the terminal, letting a program
// retitle the window, clear the screen or forge wspy's own lines. Every printer (log.ts, ps,
// report --json, commander's messages) goes through here; control characters become visible
// `\xNN` escapes, so the sequence is still readable and harmless.

// C0 controls, DEL and C1 controls; newline is kept only where the caller asks (multi-line text).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const hex = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** `text` with every control character (newline too, unless `keepNewlines`) shown as `\xNN`. */
export function terminalSafe(text: string, opts: { keepNewlines?: boolean } = {}): string {
  return text.replace(opts.keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, hex);
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls inside strings, but not DEL or C1
 * (U+0080 to U+009F, where U+009B acts as CSI on some terminals); those become \u escapes, which
 * parse back to the same value.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
