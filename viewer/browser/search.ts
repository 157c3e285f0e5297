// The search box: a regular expression, matched case-insensitively against frame and process labels.
// An invalid expression must not break the page; it shows a hint instead.

export type SearchTerm = { kind: 'empty' } | { kind: 'regex'; re: RegExp } | { kind: 'invalid'; message: string };

export function parseSearch(text: string): SearchTerm {
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'regex', re: new RegExp(text, 'i') };
  } catch (e) {
    return { kind: 'invalid', message: e instanceof Error ? e.message : String(e) };
  }
}

/** Calls `onChange` with the parsed term as the user types, after a short pause. */
export function watchSearchInput(input: HTMLInputElement, onChange: (term: SearchTerm) => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => onChange(parseSearch(input.value));
  input.addEventListener('input', () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') fire();
    if (e.key === 'Escape') {
      input.value = '';
      fire();
    }
  });
}
