// A small strict XML well-formedness check for the SVG tests: balanced, properly nested tags, quoted
// attributes without raw `<` or `&`, known entities only, no raw `<`/`&` in text, CDATA closed.
// It throws with the offset of the first problem.

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /^&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

export function checkWellFormedXml(xml: string): { root: string; elements: number } {
  let i = 0;
  const stack: string[] = [];
  let root = '';
  let elements = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(xml.slice(Math.max(0, i - 40), i + 40))}`);
  };
  const checkText = (text: string, at: number): void => {
    for (let k = 0; k < text.length; k++) {
      if (text[k] === '<') ((i = at + k), fail('raw < in text'));
      if (text[k] === '&' && !ENTITY.test(text.slice(k))) ((i = at + k), fail('bad entity'));
    }
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      if (xml.slice(i).trim() !== '') fail('text after the root element');
      break;
    }
    const text = xml.slice(i, lt);
    if (stack.length === 0 && text.trim() !== '') fail('text outside the root element');
    checkText(text, i);
    i = lt;
    if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('CDATA outside the root');
      const end = xml.indexOf(']]>', i);
      if (end < 0) fail('unclosed CDATA');
      i = end + 3;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      if (!m) fail('bad closing tag');
      const name = m![0];
      if (stack.pop() !== name) fail(`mismatched </${name}>`);
      i += 2 + name.length;
      while (/\s/.test(xml[i])) i++;
      if (xml[i] !== '>') fail('bad closing tag end');
      i++;
    } else {
      const m = NAME.exec(xml.slice(i + 1));
      if (!m) fail('bad tag name');
      const name = m![0];
      if (stack.length === 0) {
        if (root) fail('second root element');
        root = name;
      }
      elements++;
      i += 1 + name.length;
      const seen = new Set<string>();
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))![0].length;
        i += ws;
        if (xml.startsWith('/>', i)) {
          i += 2;
          break;
        }
        if (xml[i] === '>') {
          i++;
          stack.push(name);
          break;
        }
        if (ws === 0) fail('attributes must be separated by space');
        const a = NAME.exec(xml.slice(i));
        if (!a) fail('bad attribute name');
        if (seen.has(a![0])) fail('duplicate attribute');
        seen.add(a![0]);
        i += a![0].length;
        if (xml[i] !== '=') fail('attribute without value');
        const q = xml[i + 1];
        if (q !== '"' && q !== "'") fail('unquoted attribute');
        const end = xml.indexOf(q, i + 2);
        if (end < 0) fail('unclosed attribute');
        checkText(xml.slice(i + 2, end), i + 2);
        i = end + 1;
      }
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]}>`);
  if (!root) fail('no root element');
  return { root, elements };
}
