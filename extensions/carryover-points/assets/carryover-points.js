/*
 * Carryover storefront widget (theme app extension asset; decision 0014).
 * Finds every [data-carryover-points] rendered by snippets/carryover-points.liquid, asks the app
 * proxy (/apps/carryover/points, signed by Shopify on the way to the app) what to show, and shows
 * one of the pre-rendered, translated parts. Text only ever goes in through textContent.
 * Plain ES2019, no build step, no dependencies: themes load it as it is.
 */
(function () {
  "use strict";

  var requests = {}; // one request per URL per page, even with the block and the embed both on it

  function load(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } }).then(function (res) {
        if (!res.ok) {
          var error = new Error("carryover proxy answered " + res.status);
          error.status = res.status;
          throw error;
        }
        return res.json();
      });
    }
    return requests[url];
  }

  function locale(root) {
    return root.getAttribute("data-locale") || document.documentElement.lang || undefined;
  }

  function formatNumber(root, n) {
    try {
      return new Intl.NumberFormat(locale(root)).format(n);
    } catch {
      return String(n);
    }
  }

  function formatDate(root, iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    try {
      return new Intl.DateTimeFormat(locale(root), { year: "numeric", month: "long", day: "numeric" }).format(date);
    } catch {
      return iso.slice(0, 10);
    }
  }

  function unit(root, n) {
    var rule = "other";
    try {
      rule = new Intl.PluralRules(locale(root)).select(n);
    } catch {
      rule = n === 1 ? "one" : "other";
    }
    return root.getAttribute(rule === "one" ? "data-label-one" : "data-label-other") || "";
  }

  function find(root, attribute) {
    return root.querySelector("[" + attribute + "]");
  }

  function show(root, part) {
    var parts = root.querySelectorAll("[data-part]");
    for (var i = 0; i < parts.length; i++) parts[i].hidden = parts[i].getAttribute("data-part") !== part;
    root.setAttribute("data-view", part);
  }

  function setText(root, attribute, text) {
    var el = find(root, attribute);
    if (el) el.textContent = text;
  }

  function setHidden(root, attribute, hidden) {
    var el = find(root, attribute);
    if (el) el.hidden = hidden;
  }

  function showMember(root, view) {
    setText(root, "data-carryover-balance", formatNumber(root, view.balance));
    setText(root, "data-carryover-unit", unit(root, view.balance));
    setText(root, "data-carryover-tier", view.tier || "");
    setHidden(root, "data-carryover-tier-row", !view.tier);
    setHidden(root, "data-carryover-restored", !view.restored);
    var time = find(root, "data-carryover-restored-at");
    if (time) {
      time.textContent = view.restoredAt ? formatDate(root, view.restoredAt) : "";
      if (view.restoredAt) time.setAttribute("datetime", view.restoredAt);
    }
    setHidden(root, "data-carryover-pending", view.state !== "pending");
    show(root, "member");
  }

  function render(root, view) {
    if (!view || view.version !== 1) throw new Error("unknown answer from the carryover proxy");
    if (view.view === "member") return showMember(root, view);
    if (view.view === "none") return show(root, "none");
    if (view.view === "signed_out") {
      if (!view.programActive || root.getAttribute("data-show-signed-out") !== "true") {
        root.hidden = true;
        return;
      }
      root.hidden = false;
      return show(root, "signed-out");
    }
    throw new Error("unknown view from the carryover proxy");
  }

  function init(root) {
    if (root.getAttribute("data-carryover-ready")) return;
    root.setAttribute("data-carryover-ready", "loading");

    var close = find(root, "data-carryover-close");
    if (close) {
      close.addEventListener("click", function () {
        root.hidden = true;
        try {
          window.sessionStorage.setItem("carryover-points-closed", "1");
        } catch {
          /* storage may be unavailable: closing still works for this page */
        }
      });
      try {
        if (window.sessionStorage.getItem("carryover-points-closed") === "1") root.hidden = true;
      } catch {
        /* ignore */
      }
    }

    var firstView = root.getAttribute("data-view");
    // The customer the page was rendered for is the cache key: each customer, and signed-out, has
    // its own URL in the browser's cache (the app answers `private, max-age=30`).
    var url = (root.getAttribute("data-proxy-url") || "/apps/carryover/points") + "?cid=" + encodeURIComponent(root.getAttribute("data-customer-id") || "");
    load(url)
      .then(function (view) {
        render(root, view);
        root.setAttribute("data-carryover-ready", "done");
      })
      .catch(function (error) {
        root.setAttribute("data-carryover-ready", "failed");
        if (error && error.status === 404) {
          root.hidden = true; // the app is not installed on this shop any more
          return;
        }
        // Keep what the page already shows (metafields, or the signed-out invitation); otherwise say so.
        if (firstView === "loading") show(root, "error");
      });
  }

  function initAll() {
    var roots = document.querySelectorAll("[data-carryover-points]");
    for (var i = 0; i < roots.length; i++) init(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  // The theme editor re-renders sections without reloading the page.
  document.addEventListener("shopify:section:load", initAll);
  document.addEventListener("shopify:block:select", initAll);
})();
