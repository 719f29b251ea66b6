/* What every page does once loaded, for keyboard and screen-reader users. Loaded by base.html
   after htmx; no inline script (the Content-Security-Policy allows none). */
(function () {
  "use strict";

  /* The error summary (templates/_error_summary.html) takes focus when the page loads, so a
     screen reader reads what went wrong at once (WCAG 3.3.1). Focus placed before the browser
     runs `autofocus` also stops a field's autofocus from taking it back. Following one of its
     links moves focus into the field and shows the field's label above it, not just the box. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var label = field.labels && field.labels.length ? field.labels[0] : null;
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      (legend || label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  /* A box that scrolls sideways (a wide table or chart on a phone) must be reachable with the
     keyboard and say what it holds (WCAG 2.1.1, 4.1.2): it becomes a named, focusable region.
     The name is the table's caption, else the chart's title, else the heading of the section
     it is in. */
  var SCROLLERS = ".table-responsive, .overflow-x-auto";
  var counter = 0;

  function idFor(element) {
    if (!element.id) element.id = "scroll-region-name-" + ++counter;
    return element.id;
  }

  function nameRegion(box) {
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) return;
    var named = box.querySelector("caption, svg > title");
    if (named && named.textContent.trim()) {
      box.setAttribute("aria-labelledby", idFor(named));
      return;
    }
    var chart = box.querySelector("svg[aria-label], [role='img'][aria-label]");
    if (chart) {
      box.setAttribute("aria-label", chart.getAttribute("aria-label"));
      return;
    }
    var section = box.closest("section, article, details");
    var heading = section && section.querySelector("h1, h2, h3, h4, h5, h6, summary");
    if (heading) {
      box.setAttribute("aria-labelledby", idFor(heading));
    } else {
      box.setAttribute("aria-label", "Scrollable content");
    }
  }

  function enhanceScrollers(root) {
    var boxes = Array.prototype.slice.call(root.querySelectorAll(SCROLLERS));
    if (root.matches && root.matches(SCROLLERS)) boxes.push(root);
    boxes.forEach(function (box) {
      if (box.hasAttribute("data-scroll-region")) return;
      box.setAttribute("data-scroll-region", "");
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      nameRegion(box);
    });
  }

  /* A live status region (the report being built) is read out whenever its contents change.
     htmx asks the server again every few seconds; an answer that says the same thing is not
     swapped in, so a screen reader is not told "Waiting…" over and over. */
  function sameText(html, element) {
    var incoming = document.createElement("template");
    incoming.innerHTML = html;
    var words = function (text) { return text.replace(/\s+/g, " ").trim(); };
    return words(incoming.content.textContent) === words(element.textContent);
  }

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target.closest("[role='status']") && sameText(event.detail.serverResponse, target)) {
      event.detail.shouldSwap = false;
    }
  });

  focusErrorSummary();
  enhanceScrollers(document);
  // Content htmx swaps in later (the cohort page's cards) gets the same treatment.
  document.body.addEventListener("htmx:load", function (event) {
    enhanceScrollers(event.target);
  });
})();
