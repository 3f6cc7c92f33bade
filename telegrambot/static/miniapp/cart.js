// The cart: quantities, promo codes, checkout from the balance, and paying with Stars (a product, the cart, a top-up).
(() => {
  "use strict";
  const S = window.Shop;
  const { t, el } = S;

  async function cart() {
    const { cart: data } = await S.api("cart");
    const me = S.state.me;
    S.setCartCount(data.count);
    if (!data.items.length) { S.show(el("h1", {}, t("cart")), el("p", { class: "muted" }, t("cartEmpty"))); return; }
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
    const stars = me && me.stars ? el("button", { id: "cart-stars", class: "secondary", onclick: () => S.withAnswers(data.questions, names(data), (answers) => payStars("stars/cart", { answers })) }, `${t("payStars")} · ${data.list_total.text}`) : null;
    S.show(el("h1", {}, t("cart")), lines, el("div", { class: "total" }, el("span", {}, t("total")), el("span", { id: "cart-total" }, data.total.text)), el("div", { class: "actions" }, stars));
    if (data.can_checkout) S.setMainButton(t("checkout", { total: data.total.text }), () => S.once(() => S.withAnswers(data.questions, names(data), checkout)));
  }

  function promoForm(item) {
    const input = el("input", { placeholder: t("promo"), maxlength: "32", "aria-label": t("promo") });
    return el("form", { class: "promo", onsubmit: (event) => { event.preventDefault(); changeLine("cart/promo", { product_id: item.product_id, code: input.value }); } }, input, el("button", { class: "secondary" }, t("apply")));
  }

  async function changeLine(path, body, removes = false) {
    await S.post(removes ? "cart/remove" : path, body);
    await cart();
  }

  // The cart's manual products' questions are asked first (manual.js); the answers go with the quote.
  async function checkout(answers) {
    const { cart: data, intent_id: intentId } = await S.post("cart/quote", { answers });
    if (!data.can_checkout) { await cart(); return; }
    if (!(await S.confirmed(t("checkout", { total: data.total.text }) + "?"))) return;
    const result = await S.pay("cart/checkout", intentId, () => checkout(answers));
    if (!result) return;
    S.setCartCount(0);
    S.delivered(result.purchases);
  }

  function names(data) {
    return Object.fromEntries(data.items.map((item) => [item.product_id, item.name]));
  }

  async function payStars(path, body) {
    const { payment_id: paymentId, invoice_link: link } = await S.post(path, body);
    S.tg.openInvoice(link, (status) => invoiceClosed(status, paymentId, path));
  }

  async function invoiceClosed(status, paymentId, path) {
    if (status !== "paid") { S.toast(t(status === "cancelled" ? "cancelled" : "problem")); return; }
    S.toast(t("paid"));
    if (path === "stars/top-up") {
      await waitFor(async () => (await S.api("me")).me, () => true);
      await S.route();
      S.toast(t("credited"));
      return;
    }
    // Delivery happens when the bot handles successful_payment: ask until the order shows it.
    const order = await waitFor(async () => (await S.api(`orders/${paymentId}`)).order, (found) => found.purchases.length > 0);
    if (path === "stars/cart") S.setCartCount(0);
    if (order) S.delivered(order.purchases); else S.show(el("div", { class: "notice" }, t("waiting")));
  }

  async function waitFor(read, done, attempts = 20) {
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 500 + attempt * 250));
    }
    return null;
  }

  Object.assign(S, { cart, payStars });
})();
