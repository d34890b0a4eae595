/**
 * The API docs page: one static HTML file, no external assets. Its script fetches
 * `/api/openapi.json` (with the page's own credentials) and lists each path's
 * operations, parameters and bodies, and every schema. Text is set with `textContent`,
 * never parsed as HTML, so names in the document cannot inject markup.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tandem API</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h2 { border-bottom: 1px solid #ddd; margin-top: 2rem; }
.op { margin: .4rem 0 .4rem 1rem; }
.verb { display: inline-block; width: 4.5rem; font: bold 13px monospace; text-transform: uppercase; }
.get { color: #1a7f37; } .post { color: #0969da; } .patch, .put { color: #9a6700; } .delete { color: #cf222e; }
code, pre { font: 13px monospace; } pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
details { margin: .2rem 0 .2rem 5.5rem; }
</style>
</head>
<body>
<h1>Tandem API</h1>
<p id="status">Loading <code>/api/openapi.json</code>…</p>
<main id="doc"></main>
<script>
(function () {
  var root = document.getElementById('doc');
  function el(tag, text, className) { var node = document.createElement(tag); if (text) node.textContent = text; if (className) node.className = className; return node; }
  function refName(schema) { return schema && schema.$ref ? schema.$ref.split('/').pop() : ''; }
  function describe(value) { return JSON.stringify(value, null, 2); }
  function operation(method, op) {
    var box = el('div', '', 'op');
    box.appendChild(el('span', method, 'verb ' + method));
    box.appendChild(el('span', op.summary || op.operationId || ''));
    var params = (op.parameters || []).map(function (p) { return refName(p) || p.name; });
    if (params.length) { var d = el('details'); d.appendChild(el('summary', 'parameters')); d.appendChild(el('code', params.join(', '))); box.appendChild(d); }
    var body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (body) { var b = el('details'); b.appendChild(el('summary', 'body: ' + (refName(body.schema) || 'object'))); b.appendChild(el('pre', describe(body.schema))); box.appendChild(b); }
    var ok = Object.keys(op.responses || {}).filter(function (s) { return s < '300'; })[0];
    if (ok) box.appendChild(el('details')).appendChild(el('summary', ok + ': ' + (op.responses[ok].description || '')));
    return box;
  }
  function render(doc) {
    document.getElementById('status').textContent = doc.info.title + ' · OpenAPI ' + doc.openapi;
    root.appendChild(el('h2', 'Paths'));
    Object.keys(doc.paths).forEach(function (path) {
      root.appendChild(el('h3', path));
      Object.keys(doc.paths[path]).forEach(function (method) { if (method !== 'parameters') root.appendChild(operation(method, doc.paths[path][method])); });
    });
    root.appendChild(el('h2', 'Schemas'));
    Object.keys(doc.components.schemas).forEach(function (name) { var d = el('details'); d.style.marginLeft = '0'; d.appendChild(el('summary', name)); d.appendChild(el('pre', describe(doc.components.schemas[name]))); root.appendChild(d); });
  }
  fetch('/api/openapi.json', { credentials: 'same-origin' }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }).then(render, function (e) { document.getElementById('status').textContent = 'Could not load the document: ' + e.message; });
})();
</script>
</body>
</html>
`;
