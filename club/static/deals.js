// Deals board: drag a card to another column; the move is posted with htmx and the board re-rendered.
// Without this file (or without JavaScript) every card keeps its move menu, which works on its own.
(function () {
  "use strict";

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
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
        onEnd: function (event) {
          var card = event.item;
          var to = event.to;
          if (to === event.from) { return; }
          htmx.ajax("POST", card.dataset.moveUrl, {
            source: card,
            target: "#deal-board",
            swap: "outerHTML",
            values: { to_stage: to.dataset.stage },
            headers: csrfHeaders()
          });
        }
      });
    });
  }

  if (typeof htmx !== "undefined") {
    htmx.onLoad(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  }
})();
