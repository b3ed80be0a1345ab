import { visibleControls } from './text.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML: markup escaped, control characters made visible. */
export function escapeHtml(text: string): string {
  const visible = visibleControls(text);
  // A report escapes every case id and phase several times; most need nothing.
  return MARKUP.test(visible) ? visible.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!) : visible;
}

const MARKUP = /[&<>"']/;
