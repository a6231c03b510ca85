/**
 * Generated category icons: an inline SVG per merchant category (a colour and a simple
 * shape), so every tile has an image and no request leaves the page.
 */
const ICONS: Record<string, { colour: string; shape: string }> = {
  food: { colour: '#ff7a45', shape: '<path d="M9 8v16M6 8v6a3 3 0 0 0 6 0V8M22 8c-3 0-4 4-4 8h4v8" />' },
  coffee: { colour: '#a0522d', shape: '<path d="M7 12h14v6a6 6 0 0 1-6 6h-2a6 6 0 0 1-6-6zM21 14h2a3 3 0 0 1 0 6h-2M11 5v4M15 5v4" />' },
  travel: { colour: '#1890ff', shape: '<path d="M4 18l24-8-8 16-4-6zM16 20l-4 6" />' },
  retail: { colour: '#eb2f96', shape: '<path d="M7 11h18l-2 14H9zM12 11a4 4 0 0 1 8 0" />' },
  beauty: { colour: '#f759ab', shape: '<circle cx="16" cy="12" r="5" /><path d="M16 17v9M12 22h8" />' },
  fitness: { colour: '#52c41a', shape: '<path d="M5 16h22M8 11v10M11 9v14M24 11v10M21 9v14" />' },
  movies: { colour: '#722ed1', shape: '<rect x="5" y="9" width="22" height="15" rx="2" /><path d="M5 14h22M10 9l3 5M17 9l3 5" />' },
  hotel: { colour: '#13c2c2', shape: '<path d="M5 24V10M5 18h22v6M27 18v-3a3 3 0 0 0-3-3H14v6" /><circle cx="10" cy="15" r="2" />' },
};
const FALLBACK = { colour: '#8c8c8c', shape: '<circle cx="16" cy="16" r="7" />' };

/** The icon of a category, as an element (categories outside the fixed set get a plain one). */
export function categoryIcon(category: string | null | undefined, size = 40): HTMLElement {
  const { colour, shape } = ICONS[category ?? ''] ?? FALLBACK;
  const holder = document.createElement('span');
  holder.className = 'icon';
  holder.setAttribute('aria-hidden', 'true');
  // the markup is fixed text from this module, never data from an answer
  holder.innerHTML =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 32 32">` +
    `<rect width="32" height="32" rx="9" fill="${colour}" />` +
    `<g fill="none" stroke="white" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${shape}</g></svg>`;
  return holder;
}
