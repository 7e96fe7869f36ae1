// The run report's behaviour: a cursor that steps through the run, the
// details of what is clicked, the causal slice. No dependencies.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("run-data").textContent);
  var n = data.events.length;
  var svg = document.getElementById("diagram");
  var slider = document.getElementById("cursor");
  var position = document.getElementById("position");
  var details = document.getElementById("details");
  var cursorLine = document.getElementById("cursor-line");
  var evs = svg.querySelectorAll("#events .ev");
  var arrows = svg.querySelectorAll("#arrows .arrow");
  var decs = svg.querySelectorAll("#decisions .decision");
  var cursor = n; // events before the cursor have happened

  function rowY(i) { return data.top + i * data.rowH + data.rowH / 2; }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function select(node) {
    svg.querySelectorAll(".selected").forEach(function (s) { s.classList.remove("selected"); });
    if (node) node.classList.add("selected");
  }

  // setCursor makes the first c events the past: the rest fade.
  function setCursor(c, scroll) {
    cursor = Math.max(0, Math.min(n, c));
    slider.value = cursor;
    evs.forEach(function (g, i) { g.classList.toggle("future", i >= cursor); });
    arrows.forEach(function (a) {
      a.classList.toggle("future", +a.dataset.i >= cursor);
    });
    decs.forEach(function (d) { d.classList.toggle("future", +d.dataset.i >= cursor); });
    var y = cursor === 0 ? data.top : rowY(cursor - 1) + data.rowH / 2;
    cursorLine.setAttribute("y1", y);
    cursorLine.setAttribute("y2", y);
    var text = "event " + cursor + " of " + n;
    if (cursor > 0) text += " · #" + data.events[cursor - 1].seq + " · t=" + data.events[cursor - 1].t;
    position.textContent = text;
    if (cursor > 0) {
      showEvent(cursor - 1);
      if (scroll) scrollTo(cursor - 1);
    }
  }

  function scrollTo(i) {
    var box = document.getElementById("scroll");
    var y = rowY(i) + 40;
    if (y < box.scrollTop + 60 || y > box.scrollTop + box.clientHeight - 40) {
      box.scrollTop = y - box.clientHeight / 2;
    }
  }

  function link(i, label) {
    var a = el("a", label);
    a.addEventListener("click", function () { setCursor(i + 1, true); });
    return a;
  }

  function field(dl, name, value) {
    if (value === undefined || value === "" || value === null) return;
    dl.appendChild(el("dt", name));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    dl.appendChild(dd);
  }

  function showEvent(i) {
    var e = data.events[i];
    select(evs[i]);
    details.replaceChildren();
    details.appendChild(el("h2", "#" + e.seq + " " + e.kind + (e.proc ? " · " + e.proc : "")));
    var dl = el("dl");
    field(dl, "time", "t=" + e.t);
    field(dl, "process", e.proc);
    field(dl, "peer", e.peer);
    field(dl, "kind", e.msgKind);
    field(dl, "ref", e.ref ? "#" + e.ref : "");
    field(dl, "message", e.msg);
    field(dl, "name", e.name);
    field(dl, "delay", e.delay);
    field(dl, "reason", e.reason);
    field(dl, "error", e.err);
    if (e.parent >= 0) field(dl, "cause", link(e.parent, "#" + data.events[e.parent].seq + " " + data.events[e.parent].kind));
    var kids = [];
    data.events.forEach(function (k, j) { if (k.parent === i) kids.push(j); });
    if (kids.length) {
      var span = el("span");
      kids.forEach(function (j, x) {
        if (x) span.appendChild(document.createTextNode(", "));
        span.appendChild(link(j, "#" + data.events[j].seq + " " + data.events[j].kind));
      });
      field(dl, "caused", span);
    }
    field(dl, "log", e.line);
    details.appendChild(dl);
    if (data.slice.indexOf(i) >= 0) details.appendChild(el("p", "In the causal slice of the failure.", "hint"));
  }

  function showDecision(k) {
    var d = data.decisions[k];
    select(decs[k]);
    details.replaceChildren();
    details.appendChild(el("h2", "Decision " + d.n));
    var where = d.row >= 0 ? "after event #" + data.events[d.row].seq : "before the first event";
    details.appendChild(el("p", d.steps.length + " steps were enabled " + where + "; the scheduler took " + (d.chosen + 1) + ":"));
    var ol = el("ol");
    d.steps.forEach(function (s, j) {
      var li = el("li", s + (j === d.chosen ? "  (chosen)" : "  (not taken)"), j === d.chosen ? "chosen" : "alt");
      ol.appendChild(li);
    });
    details.appendChild(ol);
    details.appendChild(el("p", "Another choice here gives another run: replay with a schedule that picks it.", "hint"));
  }

  function decisionNear(dir) {
    var rows = data.decisions.map(function (d) { return d.row + 1; });
    if (dir > 0) {
      for (var k = 0; k < rows.length; k++) if (rows[k] > cursor) return k;
    } else {
      for (var j = rows.length - 1; j >= 0; j--) if (rows[j] < cursor) return j;
    }
    return -1;
  }

  function jumpDecision(dir) {
    var k = decisionNear(dir);
    if (k < 0) return;
    setCursor(data.decisions[k].row + 1, true);
    showDecision(k);
  }

  evs.forEach(function (g, i) {
    g.addEventListener("click", function () { setCursor(i + 1, false); });
  });
  arrows.forEach(function (a) {
    a.addEventListener("click", function () { setCursor(+a.dataset.i + 1, false); });
  });
  decs.forEach(function (d, k) {
    d.addEventListener("click", function () { showDecision(k); });
  });
  slider.addEventListener("input", function () { setCursor(+slider.value, true); });
  function on(id, fn) { var b = document.getElementById(id); if (b) b.addEventListener("click", fn); }
  on("first", function () { setCursor(0, true); });
  on("prev", function () { setCursor(cursor - 1, true); });
  on("next", function () { setCursor(cursor + 1, true); });
  on("last", function () { setCursor(n, true); });
  on("prevdec", function () { jumpDecision(-1); });
  on("nextdec", function () { jumpDecision(1); });
  on("slice", function () { document.body.classList.toggle("focus"); });
  on("copy", function () {
    var text = document.getElementById("replay").textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.target === slider && (ev.key === "ArrowLeft" || ev.key === "ArrowRight")) ev.preventDefault();
    switch (ev.key) {
      case "ArrowRight": case "ArrowDown": case "j": setCursor(cursor + 1, true); break;
      case "ArrowLeft": case "ArrowUp": case "k": setCursor(cursor - 1, true); break;
      case "Home": setCursor(0, true); break;
      case "End": setCursor(n, true); break;
      case "]": jumpDecision(1); break;
      case "[": jumpDecision(-1); break;
      case "f": if (data.failedAt >= 0) setCursor(data.failedAt + 1, true); break;
      case "s": document.body.classList.toggle("focus"); break;
      default: return;
    }
    ev.preventDefault();
  });
  setCursor(data.failedAt >= 0 ? data.failedAt + 1 : n, true);
})();
