// Building the pages' elements. Text goes through textContent only, never markup: what the pages show is
// whatever clients sent (traits, journey properties, channel names).

export const $ = id => document.getElementById(id);

/** Creates an HTML element. */
export function el(tag, options, ...children) {
  return fill(document.createElement(tag), options, children);
}

/** Creates an SVG element; attributes (not style) place it, which the pages' content security policy allows. */
export function svg(tag, options, ...children) {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), options, children);
}

function fill(node, { className, text, title, attrs } = {}, children) {
  if (className) node.setAttribute('class', className);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  if (title) setTitle(node, title);
  return node;
}

// An HTML element shows its title attribute; an SVG element shows its first <title> child.
function setTitle(node, title) {
  if (node instanceof SVGElement) node.prepend(fill(document.createElementNS('http://www.w3.org/2000/svg', 'title'), { text: title }, []));
  else node.title = title;
}
