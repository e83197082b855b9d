/* foresight: search excerpts from the article text, not the page's navigation.
   Sphinx's search takes each result's excerpt from the page's [role="main"], which in
   this theme also holds the "Contents" list of the page; drop the navigation first. */
(function () {
  "use strict";
  if (typeof Search === "undefined" || !Search.htmlToText) { return; }
  var original = Search.htmlToText;
  var NAVIGATION = ".bd-sidebar-secondary, .bd-toc, .onthispage, nav, .bd-header-article, " +
    ".prev-next-area, .header-article-items, .bd-footer-article";
  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(NAVIGATION).forEach(function (el) { el.remove(); });
    return original(doc.documentElement.outerHTML, anchor);
  };
})();
