/* The search page: Pagefind's UI over the index that `lecun-site build` writes into pagefind/
   (src/lecun_site/search.py). Every other page reads without JavaScript; search needs it, and
   needs HTTP: browsers refuse to load the index from file://, so the page says so instead. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;

  function show(id, visible) {
    var element = document.getElementById(id);
    if (element) element.hidden = !visible;
  }

  if (location.protocol === "file:") {
    show("search-needs-server", true);
    return;
  }
  show("search-needs-server", false);

  // Both paths are relative in the HTML, so the same output works at a server's root and under
  // a GitHub Pages sub-path such as /repo/.
  var ui = new URL(box.getAttribute("data-ui"), location.href).pathname;
  var bundle = ui.replace(/[^\/]*$/, "");
  var base = new URL(box.getAttribute("data-base"), location.href).pathname.replace(/index\.html$/, "");

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  document.head.appendChild(css);

  var script = document.createElement("script");
  script.src = ui;
  script.onerror = function () { show("search-unavailable", true); };
  script.onload = function () {
    // Pagefind keeps one index per <html lang>, and loads the one of this page: results are
    // in this page's language only.
    // termSimilarity: a word that is the query itself outranks longer words that start with it.
    // Chinese text glued to Latin names makes rare words ("lecun吗"), which Pagefind's default
    // ranked above a person's own page for their name (tests/site_content/test_reading.py).
    var search = new PagefindUI({
      element: "#search", bundlePath: bundle, baseUrl: base,
      showImages: false, showSubResults: true, autofocus: true,
      ranking: { termSimilarity: 8.0 }
    });
    // The page's heading ("Search") is the input's visible label.
    var input = box.querySelector("input");
    if (input) input.setAttribute("aria-labelledby", "search-title");
    var query = new URLSearchParams(location.search).get("q");
    if (query) search.triggerSearch(query);
  };
  document.head.appendChild(script);
})();
