/** A few lines of DOM building: no framework. */

type Child = Node | string | null | undefined | false;

/** `el('div.queue', { title: 'x' }, child, ...)`: a tag with optional classes after dots. */
export function el<K extends keyof HTMLElementTagNameMap>(spec: K | `${K}.${string}`, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [tag, ...classes] = spec.split('.') as [K, ...string[]];
  const node = document.createElement(tag);
  if (classes.length > 0) node.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  append(node, children);
  return node;
}

export function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces every child of `node`. */
export function fill(node: Node, ...children: Child[]): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, children);
}

export function button(label: string, title: string, onClick: () => void, name?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', title, ...(name ? { 'data-action': name } : {}) }, label);
  b.addEventListener('click', onClick);
  return b;
}
