/**
 * Builds elements from data without ever parsing it as HTML.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attributes]
 * @param {...(Node | string | number | null | undefined | false | Array<Node | string>)} children
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces the main region's content and moves focus to its heading, for keyboard users. */
export function show(...children) {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  main.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

export const formatDate = (iso) => (iso ? new Date(iso).toLocaleString() : '');
export const percent = (score) => `${Math.round(score * 100)}%`;
