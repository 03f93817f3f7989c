// Starts GraphiQL with the settings the page carries (see app/graphiql.py).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var send = GraphiQL.createFetcher({ url: config.endpoint });

  // GraphiQL reads the schema with the headers of the tab open at start-up. The
  // schema needs no session, and the placeholder token would be refused (401),
  // leaving the editor without completion or docs; so it is not sent with that read.
  function fetcher(params, options) {
    var headers = options && options.headers;
    if (
      params.operationName === "IntrospectionQuery" &&
      headers &&
      headers.Authorization === config.tokenPlaceholder
    ) {
      headers = Object.assign({}, headers);
      delete headers.Authorization;
      options = Object.assign({}, options, { headers: headers });
    }
    return send(params, options);
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      // Opened on the headers editor: that is where the session token goes.
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    })
  );
})();
