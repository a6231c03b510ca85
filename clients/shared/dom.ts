/** Small DOM helpers shared by the Plaza client pages. */
import { GraphQLRequestError } from './persisted.ts';

type Child = Node | string | null | undefined | false;
/** Attribute values; `false` or undefined leaves the attribute out (e.g. `disabled`). */
type Attributes = Record<string, string | false | undefined | ((event: Event) => void)>;

/** Creates an element with attributes (`on…` functions become listeners) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') node.addEventListener(name.replace(/^on/, ''), value);
    else if (value !== false && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** The first letter of a title, for the tile that stands in for an icon. */
export function initialOf(title: string): string {
  return title.trim().charAt(0).toUpperCase() || '·';
}

/**
 * The signed-in user's bearer token: handed over in the URL fragment (`#token=…`), kept
 * for this tab only, and removed from the address bar.
 */
export function readToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('plaza.token', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('plaza.token');
}

/** Replaces a container's content, leaving out absent parts; the container is no longer busy. */
export function show(container: Element, ...parts: Child[]): void {
  container.setAttribute('aria-busy', 'false');
  container.replaceChildren(...parts.filter((p): p is Node | string => p !== null && p !== undefined && p !== false));
}

/** Marks a container busy and shows what it is waiting for. */
export function showBusy(container: Element, message: string): void {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(el('p', { class: 'state', 'data-testid': 'loading' }, message));
}

/** What an error says to the user: the API's message with its code, when the API gave one. */
export function errorMessage(error: unknown): string {
  return error instanceof GraphQLRequestError ? `${error.message} (${error.code})` : 'Something went wrong';
}

/** Shows what failed (with the error's code when the API gave one) and a button to try again. */
export function showError(container: Element, context: string, error: unknown, retry: () => void): void {
  const message = errorMessage(error);
  show(
    container,
    el('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, el('p', {}, `${context}: ${message}`), el('button', { type: 'button', onclick: retry }, 'Try again')),
  );
}
