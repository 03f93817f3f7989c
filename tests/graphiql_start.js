// Runs app/static/graphiql/start.js against stand-ins for React and GraphiQL and
// prints what it rendered and what its fetcher sent (tests/test_graphiql.py).
const fs = require("fs"); const vm = require("vm");
const html = fs.readFileSync(process.argv[2], "utf8");
const cfg = html.match(/id="graphiql-config" type="application\/json">([\s\S]*?)<\/script>/)[1];
const sent = []; let rendered = null;
const ctx = {
  document: { getElementById: (id) => id === "graphiql-config" ? { textContent: cfg } : {} },
  GraphiQL: Object.assign(function GraphiQL() {}, { createFetcher: () => (p, o) => { sent.push([p.operationName, o && o.headers]); return Promise.resolve({}); } }),
  ReactDOM: { createRoot: () => ({ render: (el) => { rendered = el; } }) },
  React: { createElement: (c, props) => props },
  Object, JSON, Promise,
};
vm.runInNewContext(fs.readFileSync("app/static/graphiql/start.js", "utf8"), ctx);
const hint = JSON.parse(rendered.defaultTabs[1].headers);
rendered.fetcher({ operationName: "IntrospectionQuery" }, { headers: hint });
rendered.fetcher({ operationName: "Dashboard" }, { headers: hint });
rendered.fetcher({ operationName: "IntrospectionQuery" }, { headers: { Authorization: "Bearer real" } });
console.log(JSON.stringify({ sent, tools: rendered.defaultEditorToolsVisibility, tabs: rendered.defaultTabs.length }));
