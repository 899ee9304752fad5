// The dashboard updates itself without reloading: every few seconds it fetches the page's JSON (the same cells
// the server rendered) and writes each cell's text and level into the element whose data-cell names it, then
// rebuilds the alerts and the history tables. A new or removed station reloads the page once; a logged-out
// session (the JSON answers with the login page) reloads it to show the login.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var every = Number(root.dataset.pollMs) || 5000;

  function el(tag, text, level) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (level !== undefined) { node.dataset.level = level; }
    return node;
  }

  function alerts(list) {
    document.querySelectorAll("[data-alerts]").forEach(function (ul) {
      ul.replaceChildren();
      if (!list.length) { ul.append(el("li", ul.dataset.empty)); ul.lastChild.className = "none"; }
      list.forEach(function (a) {
        var li = el("li", undefined, a.level), link = el("a");
        li.dataset.kind = a.kind;
        link.href = a.href;
        if (a.kind === "more") { link.append(a.text); li.append(link); ul.append(li); return; }  // how many more
        li.dataset.station = a.station;
        link.append(el("b", a.station), " ", el("span", a.place));
        link.lastChild.className = "place";
        li.append(link, " ", el("span", a.text));
        li.lastChild.className = "text";
        ul.append(li);
      });
    });
  }

  function tables(all) {
    Object.keys(all || {}).forEach(function (name) {
      var body = root.querySelector('[data-table="' + name + '"]');
      if (!body) { return; }
      body.replaceChildren();
      all[name].forEach(function (row) {
        var tr = el("tr");
        row.forEach(function (c) { tr.append(el("td", c.text, c.level)); });
        body.append(tr);
      });
      if (!all[name].length) {
        var td = el("td", body.dataset.empty), tr = el("tr");
        td.colSpan = body.parentNode.querySelectorAll("th").length;
        tr.className = "none";
        tr.append(td);
        body.append(tr);
      }
    });
  }

  var shown = {};  // what the alerts and each table last showed, so unchanged ones are left alone

  function changed(key, value) {
    var text = JSON.stringify(value);
    if (shown[key] === text) { return false; }
    shown[key] = text;
    return true;
  }

  function apply(data) {
    if (data.stations.join(",") !== root.dataset.stations) { window.location.reload(); return; }
    root.querySelectorAll("[data-cell]").forEach(function (node) {
      var key = node.dataset.cell.split("|"), group = data.cells[key[0]], c = group && group[key[1]];
      if (!c) { return; }
      if (node.textContent !== c.text) { node.textContent = c.text; }
      node.dataset.level = c.level;
    });
    if (changed("alerts", data.alerts)) { alerts(data.alerts); }
    if (changed("tables", data.tables)) { tables(data.tables); }
    root.querySelector("[data-updated]").textContent = data.updated;
  }

  function connection(ok) {
    var note = root.querySelector("[data-connection]");
    if (note) { note.hidden = ok; }
  }

  function poll() {
    fetch(root.dataset.live, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || (response.ok && !json)) { window.location.reload(); throw new Error("login"); }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { apply(data); connection(true); })
      .catch(function () { connection(false); })
      .finally(function () { window.setTimeout(poll, every); });
  }

  window.setTimeout(poll, every);
}());
