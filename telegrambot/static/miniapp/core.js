// The Mini App storefront's shared pieces: texts, the API client, Telegram's buttons, pieces of screens.
// The page loads the scripts in order (core, then one per screen, then shop.js, which routes); each adds
// to window.Shop. Signs in once with Telegram's initData, then sends the session token in a header
// (never a cookie). Every text comes from the page's JSON of translated strings, and every value from
// the server is put in the page as text, never as HTML.
(() => {
  "use strict";
  const tg = window.Telegram && window.Telegram.WebApp;
  const config = JSON.parse(document.getElementById("config").textContent);
  const allTexts = JSON.parse(document.getElementById("texts").textContent);
  const view = document.getElementById("view");
  const state = {
    texts: allTexts[config.default],
    token: null,
    me: null,
    mainAction: null,
    buying: false,
    screen: 0, // counts the routes taken: a read for an earlier screen is not drawn over a later one
  };

  function t(key, params) {
    let text = state.texts[key] || key;
    for (const [name, value] of Object.entries(params || {})) text = text.split(`%(${name})s`).join(value);
    return text;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // A new screen starts without the last one's toast ("Added to the cart." is not news on the receipt);
  // a toast about the screen itself is shown after it is drawn.
  function show(...nodes) {
    hideToast();
    view.replaceChildren(...nodes.flat());
    window.scrollTo(0, 0);
  }

  function toast(text) {
    const box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(hideToast, 2500);
  }

  function hideToast() {
    clearTimeout(toast.timer);
    document.getElementById("toast").hidden = true;
  }

  function haptic(kind) {
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(kind);
  }

  function confirmed(text) {
    return new Promise((resolve) => (tg && tg.showConfirm ? tg.showConfirm(text, resolve) : resolve(window.confirm(text))));
  }

  // A read answered after the customer went on to another screen is dropped (error.superseded): two
  // routes started at once, e.g. a tab pressed while signing in, would otherwise draw their screen twice.
  async function api(path, options = {}) {
    const screen = state.screen;
    const method = options.method || "GET";
    const headers = { "Content-Type": "application/json" };
    if (state.token) headers[config.header] = state.token;
    const response = await fetch(config.api + path, {
      method,
      headers,
      credentials: "omit",
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    if (!response.ok) {
      const error = new Error(data.error || t("problem"));
      Object.assign(error, { status: response.status, code: data.code, data, token: headers[config.header] });
      throw error;
    }
    if (data.me) setMe(data.me);
    if (method === "GET" && screen !== state.screen) throw Object.assign(new Error("superseded"), { superseded: true });
    return data;
  }

  const post = (path, body) => api(path, { method: "POST", body: body || {} });

  function setMe(value) {
    state.me = value;
    state.texts = allTexts[value.language] || state.texts;
    document.documentElement.lang = value.language;
  }

  function setCartCount(count) {
    const badge = document.getElementById("cart-count");
    badge.textContent = count;
    badge.hidden = !count;
  }

  // --- Telegram's buttons ---------------------------------------------------------------
  function setMainButton(text, action) {
    if (!tg || !tg.MainButton) return;
    if (state.mainAction) tg.MainButton.offClick(state.mainAction);
    state.mainAction = null;
    if (!text) { tg.MainButton.hide(); return; }
    state.mainAction = () => action();
    tg.MainButton.setText(text);
    tg.MainButton.onClick(state.mainAction);
    tg.MainButton.show();
  }

  function setBackButton(visible) {
    if (!tg || !tg.BackButton) return;
    if (visible) tg.BackButton.show(); else tg.BackButton.hide();
  }

  // One press pays once: presses while a purchase is under way are ignored (the server refuses a reused intent too).
  async function once(action) {
    if (state.buying) return;
    state.buying = true;
    try { await action(); } finally { state.buying = false; }
  }

  // --- pieces of screens ----------------------------------------------------------------
  // The product's picture, or its first letter when it has none or the picture cannot be loaded.
  function picture(item) {
    const letter = (item.name[0] || "?").toUpperCase();
    const pic = el("div", { class: "pic", "aria-hidden": "true" }, item.image ? "" : letter);
    if (!item.image) return pic;
    pic.style.backgroundImage = `url("${encodeURI(item.image)}")`;
    const probe = new Image();
    probe.onerror = () => { pic.style.backgroundImage = ""; pic.textContent = letter; };
    probe.src = item.image;
    return pic;
  }

  function stockBadge(item) {
    if (!item.in_stock) return el("span", { class: "stock out" }, t("outOfStock"));
    if (item.unlimited || item.stock === null) return el("span", { class: "stock" }, t("unlimited"));
    return el("span", { class: "stock" }, t("inStock", { count: item.stock > 1000 ? "1000+" : item.stock }));
  }

  function pager(data, load) {
    if (!data.has_next) return null;
    return el("div", { class: "actions" }, el("button", { class: "secondary", onclick: () => load(data.page + 1) }, t("more")));
  }

  // A list screen's next page: its items go after the ones shown, and its pager replaces the old one.
  function appendPage(container, items, data, load) {
    container.append(...items);
    if (container.nextSibling) container.nextSibling.remove();
    container.after(pager(data, load) || "");
  }

  function date(value) {
    return new Date(value).toLocaleDateString(state.me ? state.me.language : undefined);
  }

  function fileSize(bytes) {
    const units = ["B", "KB", "MB", "GB"];
    let size = bytes;
    let unit = 0;
    while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit += 1; }
    return `${unit ? size.toFixed(1) : size} ${units[unit]}`;
  }

  function dateTime(value) {
    const options = { dateStyle: "medium", timeStyle: "short" };
    return new Date(value).toLocaleString(state.me ? state.me.language : undefined, options);
  }

  window.Shop = {
    tg, config, state, t, el, show, toast, hideToast, haptic, confirmed, api, post, setMe, setCartCount,
    setMainButton, setBackButton, once, picture, stockBadge, pager, appendPage, date, dateTime, fileSize,
  };
})();
