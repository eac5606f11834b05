/* kg viz: draws the graph in #kg-data with vis-network.
 *
 * Every piece of document text reaches the page through textContent (tooltips, details, legend,
 * search list), never as markup: vis-network renders a string `title` as HTML, so tooltips are
 * DOM elements built here. Physics stabilises the layout before it is shown, then stops.
 * window.kgView exposes the network and data (tests and curious users read it).
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var body = document.body;
  var status = document.getElementById("kg-status");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function infoElement(info) {
    var box = el("div", "kg-info");
    box.appendChild(el("div", "kg-info-type", info.type));
    box.appendChild(el("div", "kg-info-heading", info.heading));
    var list = el("dl", "kg-info-rows");
    info.rows.forEach(function (row) {
      list.appendChild(el("dt", null, row[0]));
      var value = el("dd");
      if (Array.isArray(row[1])) {
        var items = el("ul");
        row[1].forEach(function (item) { items.appendChild(el("li", null, item)); });
        value.appendChild(items);
      } else {
        value.textContent = String(row[1]);
      }
      list.appendChild(value);
    });
    box.appendChild(list);
    return box;
  }

  function tooltip(info) {
    // a compact copy for hovering: long texts are cut, the details panel has them in full
    var short = { type: info.type, heading: info.heading, rows: info.rows.map(function (row) {
      var value = row[1];
      if (Array.isArray(value)) value = value.slice(0, 6).concat(value.length > 6 ? ["…"] : []);
      else if (String(value).length > 240) value = String(value).slice(0, 239) + "…";
      return [row[0], value];
    }) };
    var box = infoElement(short);
    box.classList.add("kg-tooltip");
    return box;
  }

  var byId = {};
  var nodeItems = data.nodes.map(function (node) {
    byId[node.id] = node;
    var item = Object.assign({}, node);
    delete item.info;
    item.title = tooltip(node.info);
    return item;
  });
  var edgeItems = data.edges.map(function (edge) {
    var item = Object.assign({}, edge);
    delete item.info;
    item.title = tooltip(edge.info);
    return item;
  });

  // legend: node types (colour, shape glyph, count) and relations (colour)
  var legend = document.getElementById("kg-legend");
  legend.appendChild(el("h2", null, "Nodes"));
  var types = el("ul", "kg-legend-list");
  data.legend.types.forEach(function (entry) {
    var row = el("li");
    var glyph = el("span", "kg-glyph", entry.glyph);
    glyph.style.color = entry.colour;
    row.appendChild(glyph);
    row.appendChild(el("span", null, entry.label + " (" + entry.count + ")"));
    types.appendChild(row);
  });
  legend.appendChild(types);
  if (data.legend.communities && data.legend.communities.length) {
    legend.appendChild(el("h2", null, "Authors by community"));
    var communities = el("ul", "kg-legend-list");
    data.legend.communities.forEach(function (entry) {
      var row = el("li");
      var glyph = el("span", "kg-glyph", "●");
      glyph.style.color = entry.colour;
      row.appendChild(glyph);
      row.appendChild(el("span", null, entry.label + " (" + entry.count + ")"));
      communities.appendChild(row);
    });
    legend.appendChild(communities);
  }
  if (data.legend.relations.length) {
    legend.appendChild(el("h2", null, "Edges"));
    var relations = el("ul", "kg-legend-list");
    data.legend.relations.forEach(function (entry) {
      var row = el("li");
      var line = el("span", "kg-line");
      line.style.backgroundColor = entry.colour;
      row.appendChild(line);
      row.appendChild(el("span", null, entry.label));
      relations.appendChild(row);
    });
    legend.appendChild(relations);
  }

  var details = document.getElementById("kg-details");
  function showDetails(info) {
    details.replaceChildren(infoElement(info));
  }

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("kg-network");
  var progress = document.getElementById("kg-progress");
  var started = performance.now();
  var view = { data: data, nodes: nodes, edges: edges, network: null, settled: false, settleMs: null };
  window.kgView = view;

  function settled() {
    if (view.settled) return;
    view.settled = true;
    view.settleMs = Math.round(performance.now() - started);
    if (view.network) {
      view.network.setOptions({ physics: { enabled: false } });
      view.network.fit({ animation: false });
    }
    progress.hidden = true;
    body.dataset.state = "settled";
  }

  if (!data.nodes.length) {
    progress.textContent = "Nothing to show: the focus matched no nodes.";
    body.dataset.state = "settled";
    view.settled = true;
    view.settleMs = 0;
    return;
  }

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  view.network = network;
  network.on("stabilizationProgress", function (params) {
    progress.textContent = "laying out… " + Math.round((100 * params.iterations) / params.total) + "%";
  });
  network.once("stabilizationIterationsDone", settled);
  network.once("stabilized", settled);
  if (!data.options.physics || !data.options.physics.enabled) network.once("afterDrawing", settled);

  network.on("click", function (params) {
    if (params.nodes.length) showDetails(byId[params.nodes[0]].info);
    else if (params.edges.length) {
      var edge = data.edges.find(function (e) { return e.id === params.edges[0]; });
      if (edge) showDetails(edge.info);
    }
  });

  // search: exact label or heading, then prefix, then substring; focuses and selects the node
  var names = document.getElementById("kg-names");
  var index = data.nodes.map(function (node) {
    var texts = [node.label, node.info.heading];
    node.info.rows.forEach(function (row) { if (row[0] === "aliases" || row[0] === "also written") texts = texts.concat(row[1]); });
    return { id: node.id, texts: texts.map(function (t) { return String(t).toLowerCase(); }) };
  });
  data.nodes.slice(0, 5000).forEach(function (node) {
    var option = document.createElement("option");
    option.value = node.info.heading;
    names.appendChild(option);
  });

  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var tests = [
      function (t) { return t === q; },
      function (t) { return t.indexOf(q) === 0; },
      function (t) { return t.indexOf(q) >= 0; },
    ];
    for (var i = 0; i < tests.length; i++) {
      for (var j = 0; j < index.length; j++) {
        if (index[j].texts.some(tests[i])) return index[j].id;
      }
    }
    return null;
  }

  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.4, animation: false, locked: false });
    showDetails(byId[id].info);
    status.textContent = "found: " + byId[id].info.heading;
    view.focused = id;
  }
  view.find = find;
  view.focusNode = focusNode;

  document.getElementById("kg-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("kg-search").value;
    var id = find(query);
    if (id) focusNode(id);
    else status.textContent = "no node matches \u201c" + query + "\u201d";
  });

  if (data.seeds.length && byId[data.seeds[0]]) showDetails(byId[data.seeds[0]].info);
})();
