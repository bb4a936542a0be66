/*
 * Carryover storefront widget for Nuvemshop (decision 0016). Served by the app as
 * /storefront/nuvemshop.js with its configuration (the app's URL, the strings of the theme extension's
 * locale files, its stylesheet) written into CONFIG below; the same file is what the Partner Portal script
 * holds. Nuvemshop loads it on the store's pages with `?store=<id>` (and the `query_params` given when the
 * script was associated to the store, e.g. `api`), and gives it `LS`: `LS.store.id`, `LS.lang`,
 * `LS.customer` (the signed-in customer's id, or null).
 *
 * `LS.customer` is only what the page says, so the app never answers a balance for it alone: the customer
 * confirms the account's e-mail with a one-time code, once per browser (a proof kept in localStorage for
 * 30 days), and the balance is asked with a short-lived access token bound to this store and customer.
 * Plain ES2019, no dependencies, nothing from the theme; text only ever goes in through textContent.
 */
(function () {
  "use strict";

  var CONFIG = /*__CARRYOVER_CONFIG__*/ null;
  if (!CONFIG || window.__carryoverNuvemshop) return;
  window.__carryoverNuvemshop = true;

  var script = document.currentScript;
  var params = new URLSearchParams();
  try {
    if (script && script.src) params = new URL(script.src, window.location.href).searchParams;
  } catch {
    /* keep the defaults */
  }
  var LS = window.LS || {};
  var storeId = String(params.get("store") || (LS.store && LS.store.id) || "");
  var api = String(params.get("api") || CONFIG.api || "").replace(/\/+$/, "");
  var rawCustomer = LS.customer && typeof LS.customer === "object" ? LS.customer.id : LS.customer;
  var customerId = rawCustomer === null || rawCustomer === undefined || rawCustomer === "" ? null : String(rawCustomer);
  if (!/^\d+$/.test(storeId) || !api || (customerId !== null && !/^\d+$/.test(customerId))) return;

  function pickLocale(lang) {
    var tag = String(lang || document.documentElement.lang || "").toLowerCase();
    if (tag.indexOf("pt") === 0) return "pt-BR";
    if (tag.indexOf("es") === 0) return "es";
    return "en";
  }
  var locale = pickLocale(LS.lang);
  var t = CONFIG.strings[locale] || CONFIG.strings.en;
  var minutes = CONFIG.codeMinutes;

  var PROOF_KEY = "carryover:nuvemshop:proof:" + storeId + ":" + customerId;
  var ACCESS_KEY = "carryover:nuvemshop:access:" + storeId + ":" + customerId;
  var CLOSED_KEY = "carryover:nuvemshop:closed";

  function store(kind) {
    try {
      return kind === "local" ? window.localStorage : window.sessionStorage;
    } catch {
      return null;
    }
  }
  function read(kind, key) {
    var s = store(kind);
    try {
      return s ? s.getItem(key) : null;
    } catch {
      return null;
    }
  }
  function write(kind, key, value) {
    var s = store(kind);
    try {
      if (!s) return;
      if (value === null) s.removeItem(key);
      else s.setItem(key, value);
    } catch {
      /* storage full or blocked: the widget still works for this page */
    }
  }

  function fill(template, values) {
    return String(template).replace(/\{\{\s*(\w+)\s*\}\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // ---- markup ------------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function injectStyles() {
    if (document.getElementById("carryover-points-style")) return;
    var style = el("style");
    style.id = "carryover-points-style";
    style.textContent = CONFIG.css;
    (document.head || document.documentElement).appendChild(style);
  }

  var root = el("div", "carryover-points");
  root.setAttribute("data-carryover-points", "");
  root.setAttribute("data-platform", "nuvemshop");
  root.setAttribute("lang", locale);
  root.hidden = true;

  var parts = {};
  function part(name) {
    var node = el("div", "carryover-points__part");
    node.setAttribute("data-part", name);
    node.hidden = true;
    parts[name] = node;
    return node;
  }

  var close = el("button", "carryover-points__close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", t.close);
  close.setAttribute("data-carryover-close", "");
  close.addEventListener("click", function () {
    root.hidden = true;
    write("session", CLOSED_KEY, "1");
  });
  root.appendChild(close);
  root.appendChild(el("p", "carryover-points__heading", t.heading));

  // member
  var member = part("member");
  var balanceRow = el("p", "carryover-points__balance");
  var balance = el("span", "carryover-points__number");
  balance.setAttribute("data-carryover-balance", "");
  var unit = el("span", "carryover-points__unit");
  unit.setAttribute("data-carryover-unit", "");
  balanceRow.appendChild(balance);
  balanceRow.appendChild(document.createTextNode(" "));
  balanceRow.appendChild(unit);
  member.appendChild(balanceRow);
  var tierRow = el("p", "carryover-points__tier", t.tier + " ");
  tierRow.setAttribute("data-carryover-tier-row", "");
  var tier = el("strong");
  tier.setAttribute("data-carryover-tier", "");
  tierRow.appendChild(tier);
  member.appendChild(tierRow);
  var restored = el("p", "carryover-points__restored", t.restored + " ");
  restored.setAttribute("data-carryover-restored", "");
  var restoredAt = el("time");
  restoredAt.setAttribute("data-carryover-restored-at", "");
  restored.appendChild(restoredAt);
  member.appendChild(restored);
  var pendingNote = el("p", "carryover-points__note", t.pending);
  pendingNote.setAttribute("data-carryover-pending", "");
  member.appendChild(pendingNote);
  root.appendChild(member);

  // none, loading, error, unavailable
  part("none").appendChild(el("p", "carryover-points__note", t.none));
  root.appendChild(parts.none);
  part("loading").appendChild(el("p", "carryover-points__note", t.loading));
  root.appendChild(parts.loading);
  part("error").appendChild(el("p", "carryover-points__note", t.error));
  root.appendChild(parts.error);
  part("unavailable").appendChild(el("p", "carryover-points__note", t.verify.unavailable));
  root.appendChild(parts.unavailable);

  // signed out
  var signedOut = part("signed-out");
  signedOut.appendChild(el("p", "carryover-points__message", t.signed_out));
  var actions = el("p", "carryover-points__actions");
  var register = el("a", "carryover-points__button", t.create_account);
  register.href = "/account/register/";
  var login = el("a", "carryover-points__link", t.sign_in);
  login.href = "/account/login/";
  actions.appendChild(register);
  actions.appendChild(login);
  signedOut.appendChild(actions);
  root.appendChild(signedOut);

  // verify: ask for a code
  var verify = part("verify");
  verify.appendChild(el("p", "carryover-points__message", t.verify.message));
  var verifyActions = el("p", "carryover-points__actions");
  var sendButton = el("button", "carryover-points__button", t.verify.send);
  sendButton.type = "button";
  sendButton.setAttribute("data-carryover-send", "");
  verifyActions.appendChild(sendButton);
  verify.appendChild(verifyActions);
  var verifyMessage = el("p", "carryover-points__note carryover-points__alert");
  verifyMessage.setAttribute("role", "alert");
  verifyMessage.hidden = true;
  verify.appendChild(verifyMessage);
  root.appendChild(verify);

  // code: type the code that was mailed
  var codePart = part("code");
  codePart.appendChild(el("p", "carryover-points__note", fill(t.verify.sent, { minutes: minutes })));
  var form = el("form", "carryover-points__form");
  form.noValidate = true;
  var inputId = "carryover-code-" + storeId;
  var label = el("label", "carryover-points__label", t.verify.code_label);
  label.htmlFor = inputId;
  var input = el("input", "carryover-points__input");
  input.id = inputId;
  input.name = "code";
  input.autocomplete = "one-time-code";
  input.setAttribute("autocapitalize", "characters");
  input.setAttribute("spellcheck", "false");
  input.maxLength = 12;
  var confirmButton = el("button", "carryover-points__button", t.verify.confirm);
  confirmButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(confirmButton);
  codePart.appendChild(form);
  var codeMessage = el("p", "carryover-points__note carryover-points__alert");
  codeMessage.setAttribute("role", "alert");
  codeMessage.hidden = true;
  codePart.appendChild(codeMessage);
  var resend = el("button", "carryover-points__link carryover-points__link-button", t.verify.resend);
  resend.type = "button";
  codePart.appendChild(resend);
  root.appendChild(codePart);

  function show(name) {
    for (var key in parts) if (Object.prototype.hasOwnProperty.call(parts, key)) parts[key].hidden = key !== name;
    root.setAttribute("data-view", name);
    if (read("session", CLOSED_KEY) !== "1") root.hidden = false;
  }

  function hide() {
    root.hidden = true;
    root.setAttribute("data-view", "hidden");
  }

  // ---- numbers and dates -------------------------------------------------------------------------

  function formatNumber(n) {
    try {
      return new Intl.NumberFormat(locale).format(n);
    } catch {
      return String(n);
    }
  }
  function formatDate(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    try {
      return new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", day: "numeric" }).format(date);
    } catch {
      return String(iso).slice(0, 10);
    }
  }
  function unitFor(n) {
    var rule = n === 1 ? "one" : "other";
    try {
      rule = new Intl.PluralRules(locale).select(n);
    } catch {
      /* keep the simple rule */
    }
    return rule === "one" ? t.points.one : t.points.other;
  }

  // ---- the app -----------------------------------------------------------------------------------

  function call(method, path, body, token) {
    var headers = { accept: "application/json" };
    if (body) headers["content-type"] = "application/json";
    if (token) headers.authorization = "Bearer " + token;
    return fetch(api + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, credentials: "omit", mode: "cors" }).then(function (res) {
      return res.json().then(
        function (json) {
          return { status: res.status, body: json };
        },
        function () {
          return { status: res.status, body: null };
        },
      );
    });
  }

  function query(extra) {
    var q = "?store=" + encodeURIComponent(storeId);
    return extra ? q + "&" + extra : q;
  }

  function render(view) {
    if (!view || view.version !== 1) return show("error");
    if (view.view === "member") {
      balance.textContent = formatNumber(view.balance);
      unit.textContent = unitFor(view.balance);
      tier.textContent = view.tier || "";
      tierRow.hidden = !view.tier;
      restored.hidden = !view.restored;
      restoredAt.textContent = view.restoredAt ? formatDate(view.restoredAt) : "";
      if (view.restoredAt) restoredAt.setAttribute("datetime", view.restoredAt);
      pendingNote.hidden = view.state !== "pending";
      return show("member");
    }
    if (view.view === "none") return show("none");
    return show("error");
  }

  function accessToken() {
    var cached = read("session", ACCESS_KEY);
    if (cached) {
      try {
        var parsed = JSON.parse(cached);
        if (parsed && parsed.token && Date.parse(parsed.expiresAt) - Date.now() > 30000) return Promise.resolve(parsed.token);
      } catch {
        /* ask again */
      }
    }
    var proof = read("local", PROOF_KEY);
    if (!proof) return Promise.resolve(null);
    return call("POST", "/storefront/nuvemshop/token", { store: storeId, customer: customerId, proof: proof }).then(function (res) {
      if (res.status === 200 && res.body && res.body.access) {
        write("session", ACCESS_KEY, JSON.stringify({ token: res.body.access, expiresAt: res.body.accessExpiresAt }));
        return res.body.access;
      }
      if (res.status === 401) {
        write("local", PROOF_KEY, null); // another account, a changed e-mail, an uninstall: confirm again
        return null;
      }
      throw new Error("carryover token " + res.status);
    });
  }

  function loadMember(retried) {
    show("loading");
    return accessToken().then(function (token) {
      if (!token) return askToVerify();
      return call("GET", "/storefront/nuvemshop/points" + query("customer=" + encodeURIComponent(customerId)), null, token).then(function (res) {
        if (res.status === 200) return render(res.body);
        if (res.status === 401 && !retried) {
          write("session", ACCESS_KEY, null);
          return loadMember(true);
        }
        if (res.status === 404) return hide();
        return show("error");
      });
    });
  }

  var anonymous = null;
  function loadAnonymous() {
    anonymous = anonymous || call("GET", "/storefront/nuvemshop/points" + query(""), null, null);
    return anonymous;
  }

  function askToVerify() {
    return loadAnonymous().then(function (res) {
      if (res.status !== 200 || !res.body || !res.body.programActive) return hide();
      if (res.body.verification !== "email") return show("unavailable");
      verifyMessage.hidden = true;
      return show("verify");
    });
  }

  var challenge = null;
  function sendCode(messageNode) {
    sendButton.disabled = true;
    resend.disabled = true;
    return call("POST", "/storefront/nuvemshop/code", { store: storeId, customer: customerId, lang: locale })
      .then(function (res) {
        if (res.status === 200 && res.body && res.body.challenge) {
          challenge = res.body.challenge;
          codeMessage.hidden = true;
          input.value = "";
          show("code");
          input.focus();
          return;
        }
        messageNode.textContent = res.status === 429 ? t.verify.too_many : res.status === 503 ? t.verify.unavailable : t.error;
        messageNode.hidden = false;
      })
      .catch(function () {
        messageNode.textContent = t.error;
        messageNode.hidden = false;
      })
      .then(function () {
        sendButton.disabled = false;
        resend.disabled = false;
      });
  }

  sendButton.addEventListener("click", function () {
    sendCode(verifyMessage);
  });
  resend.addEventListener("click", function () {
    sendCode(codeMessage);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!challenge || !input.value.trim()) return;
    confirmButton.disabled = true;
    call("POST", "/storefront/nuvemshop/verify", { store: storeId, customer: customerId, challenge: challenge, code: input.value })
      .then(function (res) {
        if (res.status === 200 && res.body && res.body.proof) {
          write("local", PROOF_KEY, res.body.proof);
          write("session", ACCESS_KEY, JSON.stringify({ token: res.body.access, expiresAt: res.body.accessExpiresAt }));
          return loadMember(false);
        }
        codeMessage.textContent = res.status === 429 ? t.verify.too_many : res.status === 401 ? t.verify.wrong_code : t.error;
        codeMessage.hidden = false;
      })
      .catch(function () {
        codeMessage.textContent = t.error;
        codeMessage.hidden = false;
      })
      .then(function () {
        confirmButton.disabled = false;
      });
  });

  function start() {
    injectStyles();
    // A theme (or the merchant) can place the widget with an element marked data-carryover-slot;
    // otherwise it is a small floating card, like the Shopify app embed.
    var slot = document.querySelector("[data-carryover-slot]");
    root.className = slot ? "carryover-points carryover-points--block" : "carryover-points carryover-points--embed carryover-points--bottom-right";
    close.hidden = Boolean(slot);
    (slot || document.body).appendChild(root);
    var run = customerId
      ? loadMember(false)
      : loadAnonymous().then(function (res) {
          if (res.status === 200 && res.body && res.body.programActive) return show("signed-out");
          return hide();
        });
    run.catch(function () {
      if (customerId) show("error");
      else hide();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
