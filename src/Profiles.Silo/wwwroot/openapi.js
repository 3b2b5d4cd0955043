// A small, self-contained browser for /openapi/v1.json: no script from anywhere else (nodes often have no
// internet access). Text is set with textContent only.

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const $ = id => document.getElementById(id);

function el(tag, { className, text, attrs } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

function schemaText(schema) {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop();
  if (schema.type === 'array') return `array of ${schemaText(schema.items)}`;
  const type = Array.isArray(schema.type) ? schema.type.filter(t => t !== 'null').join(' | ') : schema.type;
  const nullable = Array.isArray(schema.type) && schema.type.includes('null') ? ' (nullable)' : '';
  return `${type ?? 'object'}${schema.format ? ` (${schema.format})` : ''}${nullable}`;
}

function anchor(method, path) {
  return `op-${method}-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

function renderOperation(method, path, operation) {
  const section = el('section', { className: 'operation', attrs: { id: anchor(method, path) } });
  section.append(el('h2', {},
    el('span', { className: `method ${method}`, text: method.toUpperCase() }),
    el('code', { className: 'path', text: path })));
  if (operation.summary) section.append(el('p', { className: 'summary', text: operation.summary }));
  if (operation.description) section.append(el('p', { className: 'muted', text: operation.description }));

  const parameters = operation.parameters ?? [];
  if (parameters.length) {
    const table = el('table', {}, el('thead', {}, el('tr', {},
      el('th', { text: 'Parameter' }), el('th', { text: 'In' }), el('th', { text: 'Type' }), el('th', { text: 'Required' }))));
    const body = el('tbody');
    for (const parameter of parameters) {
      body.append(el('tr', {},
        el('td', {}, el('code', { text: parameter.name })),
        el('td', { text: parameter.in }),
        el('td', { text: schemaText(parameter.schema) }),
        el('td', { text: parameter.required ? 'yes' : 'no' })));
    }
    table.append(body);
    section.append(el('h3', { text: 'Parameters' }), table);
  }

  if (operation.requestBody) {
    const content = operation.requestBody.content ?? {};
    section.append(el('h3', { text: 'Request body' }),
      el('ul', {}, ...Object.entries(content).map(([type, media]) =>
        el('li', {}, el('code', { text: type }), document.createTextNode(` — ${schemaText(media.schema)}`)))));
  }

  const responses = Object.entries(operation.responses ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (responses.length) {
    const list = el('ul', { className: 'responses' });
    for (const [code, response] of responses) {
      const types = Object.entries(response.content ?? {}).map(([type, media]) => `${type}: ${schemaText(media.schema)}`);
      list.append(el('li', {},
        el('span', { className: `code c${code[0]}`, text: code }),
        document.createTextNode(` ${response.description ?? ''}${types.length ? ` — ${types.join('; ')}` : ''}`)));
    }
    section.append(el('h3', { text: 'Responses' }), list);
  }

  if (operation.security?.length) {
    section.append(el('p', { className: 'muted small', text: 'Authorization: Bearer API key (when the node has keys configured).' }));
  }
  return section;
}

function renderSchema(name, schema) {
  const section = el('section', { className: 'schema', attrs: { id: `schema-${name}` } });
  section.append(el('h3', {}, el('code', { text: name })));
  const properties = Object.entries(schema.properties ?? {});
  if (!properties.length) {
    section.append(el('p', { className: 'muted small', text: schemaText(schema) }));
    return section;
  }
  const required = new Set(schema.required ?? []);
  section.append(el('ul', {}, ...properties.map(([property, value]) =>
    el('li', {}, el('code', { text: property }),
      document.createTextNode(` ${schemaText(value)}${required.has(property) ? ' · required' : ''}`)))));
  return section;
}

async function main() {
  let document_;
  try {
    const response = await fetch('/openapi/v1.json', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`The description answered ${response.status}.`);
    document_ = await response.json();
  } catch (error) {
    $('status').textContent = `Could not read /openapi/v1.json: ${error.message}`;
    return;
  }
  $('title').textContent = `${document_.info?.title ?? 'API'} ${document_.info?.version ?? ''}`.trim();
  $('description').textContent = document_.info?.description ?? '';

  const toc = el('ul');
  const operations = $('operations');
  for (const [path, item] of Object.entries(document_.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      toc.append(el('li', {}, el('a', { attrs: { href: `#${anchor(method, path)}` } },
        el('span', { className: `method ${method}`, text: method.toUpperCase() }),
        el('code', { text: path }))));
      operations.append(renderOperation(method, path, operation));
    }
  }
  $('toc').append(toc);

  const schemas = Object.entries(document_.components?.schemas ?? {});
  $('schemas-title').hidden = schemas.length === 0;
  $('schemas').append(...schemas.map(([name, schema]) => renderSchema(name, schema)));
}

main();
