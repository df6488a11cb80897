// Deals board: drag a card to another column; the move is posted with htmx (to the board's one move menu, the
// form #deal-move) and the board re-rendered. The menu itself needs no script: choosing a stage in it and pressing
// a card's "Move" button posts the form (a plain post, not boosted, with JavaScript on or off).
//
// The column a card goes to is the column under the pointer when it is released, not the last list
// SortableJS happened to insert the card into on the way: a card dragged across "Signed" and released
// over the "Dropped" column's heading (or below its last card) goes to "Dropped". Released outside
// every column, or over its own column, the card goes back where it was and nothing is posted.
(function () {
  "use strict";

  var pointer = null;

  function remember(event) {
    var point = event.touches && event.touches.length ? event.touches[0] : event;
    if (typeof point.clientX === "number" && (point.clientX || point.clientY)) {
      pointer = { x: point.clientX, y: point.clientY };
    }
  }

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  function listAt(point) {
    if (!point) { return null; }
    var element = document.elementFromPoint(point.x, point.y);
    var column = element && element.closest ? element.closest(".deal-column") : null;
    return column ? column.querySelector(".deal-cards") : null;
  }

  function post(dealId, stage, source) {
    var form = document.getElementById("deal-move");
    if (!form) { return; }
    htmx.ajax("POST", form.getAttribute("action"), {
      source: source,
      target: "#deal-board",
      swap: "outerHTML",
      values: { deal_id: dealId, to_stage: stage },
      headers: csrfHeaders()
    });
  }

  function putBack(card, from, oldIndex) {
    var before = from.children[oldIndex] || null;
    if (before !== card) { from.insertBefore(card, before); }
  }

  function setUp(root) {
    if (typeof Sortable === "undefined" || typeof htmx === "undefined") { return; }
    var lists = root.querySelectorAll ? root.querySelectorAll(".deal-cards") : [];
    Array.prototype.forEach.call(lists, function (list) {
      if (list.dataset.sortable === "on") { return; }
      list.dataset.sortable = "on";
      Sortable.create(list, {
        group: "deals",
        sort: false,
        animation: 150,
        filter: "select, button, a, input, label",
        preventOnFilter: false,
        onStart: function () { pointer = null; },
        onEnd: function (event) {
          var card = event.item;
          var released = event.originalEvent;
          if (released && typeof released.clientX === "number" && (released.clientX || released.clientY)) {
            remember(released);
          }
          var to = listAt(pointer) || (pointer ? null : event.to);
          if (!to || to === event.from) {
            putBack(card, event.from, event.oldIndex);
            return;
          }
          if (card.parentNode !== to) { to.appendChild(card); }
          post(card.dataset.dealId, to.dataset.stage, card);
        }
      });
    });
  }

  ["dragover", "drop", "pointermove", "mousemove"].forEach(function (name) {
    document.addEventListener(name, remember, true);
  });
  document.addEventListener("touchmove", remember, { capture: true, passive: true });

  if (typeof htmx !== "undefined") {
    htmx.onLoad(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  }
})();
