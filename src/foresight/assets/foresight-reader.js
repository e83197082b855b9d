/* foresight: what a reader needs that the theme does not give.

   1. The page-contents button also works on a wide screen. The theme
      (sphinx-book-theme 1.2.0 with pydata-sphinx-theme 0.16.1) hides it at 1200 px and
      above, where the page's contents stand in the right-hand column; here it stays and
      hides or shows that column, as the contents button does for the left one. Below
      1200 px the theme's own handler opens both panels as dialogs.
   2. Every figure opens at full size with one tap (or Enter): on a phone a figure drawn
      for a 750 px column is shown at about half size, its smallest text at 5 px; the
      full-size view shows it at the size it was drawn for, panning sideways if needed.
   3. Tables that do not fit their box are stacked on narrow screens (below 992 px): each
      row becomes a block of "header: value" lines, so nothing scrolls sideways. Long
      tables (more than 20 rows) get a filter box.
   4. Printing opens every collapsed section (dropdowns, hidden code), so that paper and
      the PDF hold all of the text; they close again afterwards.
   Nothing is fetched: the script only rearranges what the page already holds. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  var article = function () { return document.querySelector("article.bd-article"); };

  /* ------------------------------------------------------------ 1. page contents */
  var WIDE = "(min-width: 1200px)";
  function pageContentsButton() {
    var button = document.querySelector("button.secondary-toggle");
    var sidebar = document.getElementById("pst-secondary-sidebar");
    if (!button || !sidebar) { return; }
    button.setAttribute("aria-label", "Show or hide the contents of this page");
    button.addEventListener("click", function (event) {
      if (!window.matchMedia(WIDE).matches) { return; }  // the theme's dialog below 1200 px
      event.preventDefault();
      event.stopImmediatePropagation();
      var hidden = sidebar.classList.toggle("foresight-hidden");
      button.setAttribute("aria-expanded", hidden ? "false" : "true");
      button.blur();
    }, true);
  }

  /* ------------------------------------------------------------ 2. figures at full size */
  function figureViewer() {
    var art = article();
    if (!art) { return; }
    var images = Array.prototype.slice.call(art.querySelectorAll("figure img"));
    if (!images.length) { return; }
    var dialog = document.createElement("dialog");
    dialog.className = "foresight-figure-view";
    dialog.setAttribute("aria-label", "Figure at full size");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "foresight-figure-close";
    close.textContent = "Close";
    var pane = document.createElement("div");
    pane.className = "foresight-figure-pane";
    dialog.appendChild(close);
    dialog.appendChild(pane);
    document.body.appendChild(dialog);
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
    dialog.addEventListener("close", function () { pane.textContent = ""; });

    images.forEach(function (img) {
      // The size the figure was drawn for: its width attribute or inline width (100 px per inch).
      var drawn = parseFloat(img.getAttribute("width") || img.style.width || "0") || img.naturalWidth;
      var open = function () {
        var big = document.createElement("img");  // made on opening: no empty image in the page
        big.src = img.currentSrc || img.src;
        big.alt = img.alt || "";
        big.style.width = Math.round(drawn || img.naturalWidth) + "px";
        pane.textContent = "";
        pane.appendChild(big);
        dialog.showModal();
        close.focus();
      };
      img.classList.add("foresight-zoomable");
      img.setAttribute("tabindex", "0");
      img.setAttribute("title", "Open the figure at full size");
      var link = img.closest("a.image-reference");
      (link || img).addEventListener("click", function (event) { event.preventDefault(); open(); });
      img.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); }
      });
      var hint = document.createElement("button");
      hint.type = "button";
      hint.className = "foresight-figure-open";
      hint.textContent = "Open the figure at full size";
      hint.addEventListener("click", open);
      (link || img).insertAdjacentElement("afterend", hint);
    });
  }

  /* ------------------------------------------------------------ 3. tables on narrow screens */
  var NARROW = "(max-width: 991.98px)";
  function tableBox(table) {
    return table.closest(".house-table-wrap, .cell_output, .output, .pst-scrollable-table-container") ||
      table.parentElement;
  }
  function labelCells(table) {
    var head = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    if (!head) { return false; }
    var names = Array.prototype.map.call(head.cells, function (c) { return c.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (!cell.hasAttribute("data-label")) { cell.setAttribute("data-label", names[i] || ""); }
        });
      });
    });
    return true;
  }
  function stackTables() {
    var art = article();
    if (!art) { return; }
    var tables = Array.prototype.slice.call(art.querySelectorAll("table"));
    var update = function () {
      var narrow = window.matchMedia(NARROW).matches;
      tables.forEach(function (table) {
        var box = tableBox(table);
        table.classList.remove("foresight-stacked");
        box.classList.remove("foresight-stacked-box");
        if (!narrow) { return; }
        if (table.getBoundingClientRect().width > box.clientWidth + 1 && labelCells(table)) {
          table.classList.add("foresight-stacked");
          box.classList.add("foresight-stacked-box");
        }
      });
    };
    update();
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
    window.addEventListener("beforeprint", function () { tables.forEach(function (t) { t.classList.remove("foresight-stacked"); }); });
    window.addEventListener("afterprint", update);
  }
  function filterLongTables() {
    var art = article();
    if (!art) { return; }
    art.querySelectorAll(".house-table-wrap.house-table-tall").forEach(function (wrap, n) {
      var table = wrap.querySelector("table");
      if (!table || !table.tBodies.length) { return; }
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var label = document.createElement("label");
      label.className = "foresight-table-filter";
      var id = "foresight-filter-" + n;
      label.setAttribute("for", id);
      label.textContent = "Filter the " + rows.length + " rows: ";
      var input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.placeholder = "any word in a row";
      var count = document.createElement("span");
      count.className = "foresight-table-count";
      count.setAttribute("aria-live", "polite");
      label.appendChild(input);
      label.appendChild(count);
      wrap.parentElement.insertBefore(label, wrap);
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        rows.forEach(function (row) {
          var text = row.textContent.toLowerCase();
          var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
          row.hidden = !keep;
          if (keep) { shown += 1; }
        });
        count.textContent = words.length ? " " + shown + " shown" : "";
      });
    });
  }

  /* ------------------------------------------------------------ 4. print everything */
  function printOpen() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details:not([open])").forEach(function (d) {
        d.setAttribute("open", "");
        opened.push(d);
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.removeAttribute("open"); });
      opened = [];
    });
  }

  ready(function () {
    pageContentsButton();
    figureViewer();
    filterLongTables();
    stackTables();
    printOpen();
  });
})();
