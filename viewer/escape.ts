// Escaping for everything the viewer writes into HTML, XML (SVG) and inline scripts. Frame names and
// file paths come from profiled programs and are untrusted: they reach the output only through here.

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value (quoted) in HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

// XML 1.0 forbids most C0 control characters even as character references, and an unpaired surrogate
// cannot be encoded; either would make the whole SVG fail to parse, so they become U+FFFD.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or attribute value (quoted) in XML. */
export function escapeXml(s: string): string {
  return escapeHtml(s.replace(XML_INVALID, '\uFFFD'));
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` that could close the
 * element or open a comment, and no U+2028/U+2029 (line terminators in older JavaScript). The escapes
 * are JSON escapes, so JSON.parse of the element's text gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Our own bundled code, inlined into a `<script>` or `<style>` element: a closing tag inside it would end
 * the element early. `<\/` means the same inside JavaScript strings and CSS.
 */
export function inlineSafe(code: string, element: 'script' | 'style'): string {
  // `<!--` would switch the HTML parser into its script-comment state.
  return code.replace(new RegExp(`</(${element})`, 'gi'), '<\\/$1').replace(/<!--/g, '<\\!--');
}
