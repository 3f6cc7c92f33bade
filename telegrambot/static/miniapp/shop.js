// The Mini App storefront: one page, every screen drawn from the shop's JSON API.
// Signs in once with Telegram's initData, then sends the session token in a header
// (never a cookie). Every text comes from the page's JSON of translated strings, and
// every value from the server is put in the page as text, never as HTML.
(() => {
  "use strict";
  const tg = window.Telegram && window.Telegram.WebApp;
  const config = JSON.parse(document.getElementById("config").textContent);
  const allTexts = JSON.parse(document.getElementById("texts").textContent);
  const view = document.getElementById("view");
  // One session per Telegram account: a browser may open the shop as several people (the simulator).
  const SESSION = `shop-session:${signedUserId()}`;
  let texts = allTexts[config.default];
  let token = sessionStorage.getItem(SESSION);
  let me = null;
  let mainAction = null;
  let drawing = 0;
  let signedIn = null; // the sign-in every screen waits for

  // --- helpers ------------------------------------------------------------------------
  function signedUserId() {
    try { return JSON.parse(new URLSearchParams(tg ? tg.initData : "").get("user")).id; } catch (error) { return ""; }
  }

  function t(key, params) {
    let text = texts[key] || key;
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

  function show(...nodes) {
    view.replaceChildren(...nodes.flat());
    window.scrollTo(0, 0);
  }

  function toast(text) {
    const box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 2500);
  }

  function haptic(kind) {
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(kind);
  }

  function confirmed(text) {
    return new Promise((resolve) => (tg && tg.showConfirm ? tg.showConfirm(text, resolve) : resolve(window.confirm(text))));
  }

  async function api(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers[config.header] = token;
    const response = await fetch(config.api + path, {
      method: options.method || "GET",
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
    return data;
  }

  const post = (path, body) => api(path, { method: "POST", body: body || {} });

  function setMe(value) {
    me = value;
    texts = allTexts[me.language] || texts;
    document.documentElement.lang = me.language;
  }

  function setCartCount(count) {
    const badge = document.getElementById("cart-count");
    badge.textContent = count;
    badge.hidden = !count;
  }

  // --- Telegram's buttons ---------------------------------------------------------------
  function setMainButton(text, action) {
    if (!tg || !tg.MainButton) return;
    if (mainAction) tg.MainButton.offClick(mainAction);
    mainAction = null;
    if (!text) { tg.MainButton.hide(); return; }
    mainAction = () => action();
    tg.MainButton.setText(text);
    tg.MainButton.onClick(mainAction);
    tg.MainButton.show();
  }

  function setBackButton(visible) {
    if (!tg || !tg.BackButton) return;
    if (visible) tg.BackButton.show(); else tg.BackButton.hide();
  }

  // --- pieces of screens ----------------------------------------------------------------
  function picture(item) {
    const pic = el("div", { class: "pic", "aria-hidden": "true" }, item.image ? "" : (item.name[0] || "?").toUpperCase());
    if (item.image) pic.style.backgroundImage = `url("${encodeURI(item.image)}")`;
    return pic;
  }

  function stockBadge(item) {
    if (!item.in_stock) return el("span", { class: "stock out" }, t("outOfStock"));
    if (item.unlimited || item.stock === null) return el("span", { class: "stock" }, t("unlimited"));
    return el("span", { class: "stock" }, t("inStock", { count: item.stock > 1000 ? "1000+" : item.stock }));
  }

  function tile(item) {
    return el("a", { class: "tile", href: `#/p/${item.id}`, "data-product": item.id },
      picture(item),
      el("div", { class: "body" }, el("span", { class: "name" }, item.name), el("span", { class: "price" }, item.price.text), stockBadge(item),
        item.rating ? el("span", { class: "stars rating" }, `★ ${item.rating} (${item.review_count})`) : null));
  }

  function pager(data, load) {
    if (!data.has_next) return null;
    return el("div", { class: "actions" }, el("button", { class: "secondary", onclick: () => load(data.page + 1) }, t("more")));
  }

  function purchaseBox(item) {
    const value = item.value
      ? el("div", { class: "value", title: t("copy"), onclick: () => copy(item.value) }, item.value)
      : el("a", { class: "button", href: item.download, download: "" }, t("download"));
    return el("div", { class: "line", "data-purchase": item.id },
      el("div", { class: "top" }, el("span", {}, item.product), el("span", {}, item.price.text)),
      el("div", { class: "muted" }, t("order", { number: item.order_number }), " · ", new Date(item.date).toLocaleDateString(me ? me.language : undefined)),
      value);
  }

  async function copy(text) {
    try { await navigator.clipboard.writeText(text); } catch (error) { /* not allowed here: the value stays on screen */ }
    haptic("success");
    toast(t("copied"));
  }

  // --- screens ----------------------------------------------------------------------
  async function categories(page = 1, list = null) {
    const data = await api(`categories?page=${page}`);
    const items = data.items.map((item) => el("li", {}, el("a", { href: `#/c/${item.id}` }, el("span", {}, item.name), el("span", { class: "muted" }, "›"))));
    if (list) { list.append(...items); list.nextSibling && list.nextSibling.remove(); list.after(pager(data, (next) => categories(next, list)) || ""); return; }
    const ul = el("ul", { class: "list", id: "categories" }, items);
    show(el("h1", {}, t("categories")), data.items.length ? ul : el("p", { class: "muted" }, t("empty")), pager(data, (next) => categories(next, ul)) || "");
  }

  async function grid(title, path, page = 1, container = null) {
    const data = await api(`${path}${path.includes("?") ? "&" : "?"}page=${page}`);
    const tiles = data.items.map(tile);
    if (container) { container.append(...tiles); container.nextSibling && container.nextSibling.remove(); container.after(pager(data, (next) => grid(title, path, next, container)) || ""); return; }
    const box = el("div", { class: "grid", id: "products" }, tiles);
    const heading = (data.category && data.category.name) || title;
    show(el("h1", {}, heading), data.items.length ? box : el("p", { class: "muted" }, t(path.startsWith("search") ? "nothingFound" : "empty")), pager(data, (next) => grid(title, path, next, box)) || "");
  }

  async function product(id) {
    const { product: item } = await api(`products/${id}`);
    const reviews = item.reviews.length
      ? item.reviews.map((review) => el("div", { class: "review" }, el("span", { class: "stars" }, "★".repeat(review.rating) + "☆".repeat(5 - review.rating)), " ", el("strong", {}, review.author), el("div", {}, review.text)))
      : [el("p", { class: "muted" }, t("noReviews"))];
    const actions = el("div", { class: "actions" },
      el("button", { id: "add-to-cart", class: "secondary", disabled: !item.in_stock, onclick: () => addToCart(item) }, t("addToCart")),
      me && me.stars ? el("button", { id: "pay-stars", class: "secondary", disabled: !item.in_stock, onclick: () => payStars("stars/product", { product_id: item.id }) }, t("payStars")) : null);
    show(el("article", { class: "product" },
      picture(item),
      el("h1", {}, item.name),
      el("div", {}, el("span", { class: "price" }, item.price.text), " · ", stockBadge(item), item.rating ? el("span", { class: "stars" }, ` ★ ${item.rating} (${item.review_count})`) : ""),
      el("p", { class: "description" }, item.description),
      actions,
      el("h2", {}, t("reviews")), reviews));
    if (item.in_stock) setMainButton(t("buy", { price: item.price.text }), () => once(() => buy(item)));
  }

  async function addToCart(item) {
    const { cart } = await post("cart/add", { product_id: item.id, quantity: 1 });
    setCartCount(cart.count);
    haptic("success");
    toast(t("added"));
  }

  // A confirmation shows the server's quote; Pay sends only the intent it wrote, so the price paid is the one shown.
  const STALE = ["PriceChanged", "IntentExpired", "CartChanged"];

  async function buy(item) {
    const { quote } = await post("buy/quote", { product_id: item.id });
    if (!(await confirmed(t("confirmBuy", { product: quote.name, price: quote.price.text })))) return;
    const data = await pay("buy", quote.intent_id, () => buy(item));
    if (data) delivered(data.purchases);
  }

  // One press pays once: presses while a purchase is under way are ignored (the server refuses a reused intent too).
  let buying = false;
  async function once(action) {
    if (buying) return;
    buying = true;
    try { await action(); } finally { buying = false; }
  }

  async function pay(path, intentId, again) {
    try {
      return await post(path, { intent_id: intentId });
    } catch (error) {
      if (!STALE.includes(error.code)) throw error;
      // What the confirmation showed no longer holds: say why and show today's.
      toast(error.message);
      await again();
      return null;
    }
  }

  function delivered(purchases) {
    haptic("success");
    setMainButton(null);
    show(el("h1", { id: "thanks" }, t("thanks")), purchases.map(purchaseBox), el("div", { class: "actions" }, el("a", { class: "button", href: "#/history" }, t("history"))));
  }

  async function cart() {
    const { cart: data } = await api("cart");
    setCartCount(data.count);
    if (!data.items.length) { show(el("h1", {}, t("cart")), el("p", { class: "muted" }, t("cartEmpty"))); return; }
    const lines = data.items.map((item) => el("div", { class: "line", "data-line": item.product_id },
      el("div", { class: "top" }, el("span", {}, item.name), el("span", {}, item.total.text)),
      item.problem ? el("div", { class: "problem" }, item.problem) : null,
      el("div", { class: "controls" },
        el("button", { class: "secondary", "aria-label": "−", onclick: () => changeLine("cart/set", { product_id: item.product_id, quantity: item.quantity - 1 }, item.quantity <= 1) }, "−"),
        el("span", { class: "quantity" }, `${item.quantity} × ${item.unit_price.text}`),
        el("button", { class: "secondary", "aria-label": "+", onclick: () => changeLine("cart/set", { product_id: item.product_id, quantity: item.quantity + 1 }) }, "+"),
        el("button", { class: "secondary", onclick: () => changeLine("cart/remove", { product_id: item.product_id }) }, t("remove"))),
      item.promo
        ? el("div", { class: "muted" }, `${t("promo")}: ${item.promo} · ${t("discount")} ${item.discount.text} `, el("a", { href: "#", onclick: (event) => { event.preventDefault(); changeLine("cart/promo/remove", { product_id: item.product_id }); } }, "✕"))
        : promoForm(item),
      item.promo_problem ? el("div", { class: "problem" }, item.promo_problem) : null));
    const stars = me && me.stars ? el("button", { id: "cart-stars", class: "secondary", onclick: () => payStars("stars/cart", {}) }, `${t("payStars")} · ${data.list_total.text}`) : null;
    show(el("h1", {}, t("cart")), lines, el("div", { class: "total" }, el("span", {}, t("total")), el("span", { id: "cart-total" }, data.total.text)), el("div", { class: "actions" }, stars));
    if (data.can_checkout) setMainButton(t("checkout", { total: data.total.text }), () => once(checkout));
  }

  function promoForm(item) {
    const input = el("input", { placeholder: t("promo"), maxlength: "32", "aria-label": t("promo") });
    return el("form", { class: "promo", onsubmit: (event) => { event.preventDefault(); changeLine("cart/promo", { product_id: item.product_id, code: input.value }); } }, input, el("button", { class: "secondary" }, t("apply")));
  }

  async function changeLine(path, body, removes = false) {
    await post(removes ? "cart/remove" : path, body);
    await cart();
  }

  async function checkout() {
    const { cart: data, intent_id: intentId } = await post("cart/quote");
    if (!data.can_checkout) { await cart(); return; }
    if (!(await confirmed(t("checkout", { total: data.total.text }) + "?"))) return;
    const result = await pay("cart/checkout", intentId, checkout);
    if (!result) return;
    setCartCount(0);
    delivered(result.purchases);
  }

  async function payStars(path, body) {
    const { payment_id: paymentId, invoice_link: link } = await post(path, body);
    tg.openInvoice(link, (status) => invoiceClosed(status, paymentId, path));
  }

  async function invoiceClosed(status, paymentId, path) {
    if (status !== "paid") { toast(t(status === "cancelled" ? "cancelled" : "problem")); return; }
    toast(t("paid"));
    if (path === "stars/top-up") { await waitFor(async () => (await api("me")).me, () => true); route(); return; }
    // Delivery happens when the bot handles successful_payment: ask until the order shows it.
    const order = await waitFor(async () => (await api(`orders/${paymentId}`)).order, (found) => found.purchases.length > 0);
    if (path === "stars/cart") setCartCount(0);
    if (order) delivered(order.purchases); else show(el("div", { class: "notice" }, t("waiting")));
  }

  async function waitFor(read, done, attempts = 20) {
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 500 + attempt * 250));
    }
    return null;
  }

  async function history(page = 1, box = null) {
    const data = await api(`purchases?page=${page}`);
    const items = data.items.map(purchaseBox);
    if (box) { box.append(...items); box.nextSibling && box.nextSibling.remove(); box.after(pager(data, (next) => history(next, box)) || ""); return; }
    const list = el("div", { id: "purchases" }, items);
    show(el("h1", {}, t("history")), data.items.length ? list : el("p", { class: "muted" }, t("noPurchases")), pager(data, (next) => history(next, list)) || "");
  }

  async function balance() {
    const data = await api("me");
    const amount = el("input", { id: "amount", inputmode: "decimal", placeholder: t("amount"), maxlength: "12", "aria-label": t("amount") });
    const stars = me.stars ? el("button", { id: "top-up" }, t("topUp")) : null;
    const crypto = me.crypto ? el("button", { id: "top-up-crypto", type: "button", class: stars ? "secondary" : null, onclick: () => payCrypto(amount.value) }, t("topUpCrypto")) : null;
    // The amount field and the first way to pay share a row; a second way gets its own row, so the field keeps its width.
    const topUp = stars || crypto
      ? el("form", { class: "field", onsubmit: (event) => { event.preventDefault(); if (stars) payStars("stars/top-up", { amount: amount.value }); else payCrypto(amount.value); } }, amount, stars || crypto)
      : null;
    const more = stars && crypto ? el("div", { class: "actions" }, crypto) : null;
    show(el("h1", {}, t("balance")), el("div", { class: "balance", id: "balance" }, data.me.balance.text), topUp, more);
  }

  // CryptoPay's invoice is paid in its own bot (a t.me link) or page; the webhook credits it, "Check payment" asks now.
  async function payCrypto(amount) {
    const { payment_id: paymentId, pay_url: link } = await post("crypto/top-up", { amount });
    if (tg && link.startsWith("https://t.me/") && tg.openTelegramLink) tg.openTelegramLink(link);
    else if (tg && tg.openLink) tg.openLink(link);
    else window.open(link, "_blank", "noopener");
    const check = el("button", { id: "check-payment", onclick: () => checkCrypto(paymentId) }, t("checkPayment"));
    show(el("h1", {}, t("balance")), el("div", { class: "notice", id: "crypto-invoice" }, t("cryptoOpened")), el("div", { class: "actions" }, el("a", { class: "button secondary", href: link, target: "_blank", rel: "noopener" }, t("openInvoice")), check));
  }

  async function checkCrypto(paymentId) {
    const { status } = await post(`crypto/${paymentId}/check`);
    if (status !== "paid") { toast(t(status === "pending" ? "notPaidYet" : "cryptoClosed")); return; }
    haptic("success");
    toast(t("credited"));
    await balance();
  }

  // --- routing --------------------------------------------------------------------------
  const routes = [
    [/^#?\/?$/, () => categories(), "home"],
    [/^#\/c\/(\d+)$/, (id) => grid("", `categories/${id}`), "home"],
    [/^#\/s\/(.+)$/, (query) => grid(t("searchResults"), `search?q=${encodeURIComponent(decodeURIComponent(query))}`), "home"],
    [/^#\/p\/(\d+)$/, (id) => product(id), "home"],
    [/^#\/cart$/, () => cart(), "cart"],
    [/^#\/history$/, () => history(), "history"],
    [/^#\/balance$/, () => balance(), "balance"],
  ];

  async function route() {
    try { await signedIn; } catch (error) { return; } // the refusal is already on screen
    const hash = window.location.hash;
    const [pattern, draw, tab] = routes.find(([regex]) => regex.test(hash)) || routes[0];
    const match = hash.match(pattern) || [];
    const mine = ++drawing;
    setMainButton(null);
    setBackButton(!["", "#", "#/", "#/cart", "#/history", "#/balance"].includes(hash));
    for (const link of document.querySelectorAll(".tabs a")) link.classList.toggle("active", link.dataset.tab === tab);
    try {
      await draw(...match.slice(1));
    } catch (error) {
      if (mine === drawing) failed(error);
    }
  }

  function failed(error) {
    if (error.status === 401 && error.code === "session" && error.token && error.token === token) {
      sessionStorage.removeItem(SESSION);
      token = null;
    }
    if ([401, 403, 503].includes(error.status)) {
      const link = error.data && error.data.channel_url ? el("p", {}, el("a", { href: error.data.channel_url }, error.data.channel_url)) : null;
      show(el("div", { class: "notice", id: "refusal" }, error.message, link));
      setMainButton(null);
      return;
    }
    haptic("error");
    toast(error.message);
  }

  function labelTabs() {
    document.getElementById("tab-home").textContent = t("title");
    document.querySelector("#tab-cart .label").textContent = t("cart");
    document.getElementById("tab-history").textContent = t("history");
    document.getElementById("tab-balance").textContent = t("balance");
    document.getElementById("search").placeholder = t("search");
  }

  async function signIn() {
    if (token) {
      try { const data = await api("me"); setCartCount(data.cart_count); return; } catch (error) {
        if (error.status !== 401) throw error;
        token = null;
      }
    }
    const data = await post("session", { init_data: tg ? tg.initData : "" });
    token = data.token;
    sessionStorage.setItem(SESSION, token);
    const { cart_count: count } = await api("me");
    setCartCount(count);
  }

  function applyTheme() {
    document.documentElement.dataset.scheme = (tg && tg.colorScheme) || "light";
  }

  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = document.getElementById("search").value.trim();
    if (query) window.location.hash = `#/s/${encodeURIComponent(query)}`;
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("unhandledrejection", (event) => { event.preventDefault(); failed(event.reason || new Error(t("problem"))); });

  if (tg) {
    tg.ready();
    tg.expand();
    applyTheme();
    tg.onEvent("themeChanged", applyTheme);
    tg.BackButton.onClick(() => window.history.back());
  }
  labelTabs();
  signedIn = signIn();
  signedIn.then(() => { labelTabs(); route(); }, (error) => { labelTabs(); failed(error); });
})();
