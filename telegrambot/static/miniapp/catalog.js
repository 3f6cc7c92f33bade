// The shop's screens: categories, a product grid (a category or a search), the product page and buying one unit.
(() => {
  "use strict";
  const S = window.Shop;
  const { t, el } = S;

  function tile(item) {
    return el("a", { class: "tile", href: `#/p/${item.id}`, "data-product": item.id },
      S.picture(item),
      el("div", { class: "body" }, el("span", { class: "name" }, item.name), el("span", { class: "price" }, item.price.text), S.stockBadge(item),
        item.rating ? el("span", { class: "stars rating" }, `★ ${item.rating} (${item.review_count})`) : null));
  }

  async function categories(page = 1, list = null) {
    const data = await S.api(`categories?page=${page}`);
    const items = data.items.map((item) => el("li", {}, el("a", { href: `#/c/${item.id}` }, el("span", {}, item.name), el("span", { class: "muted" }, "›"))));
    if (list) { S.appendPage(list, items, data, (next) => categories(next, list)); return; }
    const ul = el("ul", { class: "list", id: "categories" }, items);
    S.show(el("h1", {}, t("categories")), data.items.length ? ul : el("p", { class: "muted" }, t("empty")), S.pager(data, (next) => categories(next, ul)) || "");
  }

  async function grid(title, path, page = 1, container = null) {
    const data = await S.api(`${path}${path.includes("?") ? "&" : "?"}page=${page}`);
    const tiles = data.items.map(tile);
    if (container) { S.appendPage(container, tiles, data, (next) => grid(title, path, next, container)); return; }
    const box = el("div", { class: "grid", id: "products" }, tiles);
    const heading = (data.category && data.category.name) || title;
    S.show(el("h1", {}, heading), data.items.length ? box : el("p", { class: "muted" }, t(path.startsWith("search") ? "nothingFound" : "empty")), S.pager(data, (next) => grid(title, path, next, box)) || "");
  }

  async function product(id) {
    const { product: item } = await S.api(`products/${id}`);
    const me = S.state.me;
    const reviews = item.reviews.length
      ? item.reviews.map((review) => el("div", { class: "review" }, el("span", { class: "stars" }, "★".repeat(review.rating) + "☆".repeat(5 - review.rating)), " ", el("strong", {}, review.author), el("div", {}, review.text)))
      : [el("p", { class: "muted" }, t("noReviews"))];
    const actions = el("div", { class: "actions" },
      el("button", { id: "add-to-cart", class: "secondary", disabled: !item.in_stock, onclick: () => addToCart(item) }, t("addToCart")),
      me && me.stars ? el("button", { id: "pay-stars", class: "secondary", disabled: !item.in_stock, onclick: () => S.withAnswers(item.questions, names(item), (answers) => S.payStars("stars/product", { product_id: item.id, answers })) }, t("payStars")) : null);
    S.show(el("article", { class: "product" },
      S.picture(item),
      el("h1", {}, item.name),
      el("div", {}, el("span", { class: "price" }, item.price.text), " · ", S.stockBadge(item), item.rating ? el("span", { class: "stars" }, ` ★ ${item.rating} (${item.review_count})`) : ""),
      el("p", { class: "description" }, item.description),
      item.warranty ? el("p", { class: "muted warranty", id: "warranty" }, item.warranty) : null,
      actions,
      el("h2", {}, t("reviews")), reviews));
    if (item.in_stock) S.setMainButton(t("buy", { price: item.price.text }), () => S.once(() => buy(item)));
  }

  async function addToCart(item) {
    const { cart } = await S.post("cart/add", { product_id: item.id, quantity: 1 });
    S.setCartCount(cart.count);
    S.haptic("success");
    S.toast(t("added"));
  }

  // A confirmation shows the server's quote; Pay sends only the intent it wrote, so the price paid is the one shown.
  const STALE = ["PriceChanged", "IntentExpired", "CartChanged"];

  // A manual product's questions are asked first (manual.js); their answers go with the quote, kept on its intent.
  function buy(item) {
    return S.withAnswers(item.questions, names(item), (answers) => buyWith(item, answers));
  }

  async function buyWith(item, answers) {
    const { quote } = await S.post("buy/quote", { product_id: item.id, answers });
    if (!(await S.confirmed(t("confirmBuy", { product: quote.name, price: quote.price.text })))) return;
    const data = await pay("buy", quote.intent_id, () => buyWith(item, answers));
    if (data) S.delivered(data.purchases);
  }

  function names(item) {
    return { [item.id]: item.name };
  }

  async function pay(path, intentId, again) {
    try {
      return await S.post(path, { intent_id: intentId });
    } catch (error) {
      if (!STALE.includes(error.code)) throw error;
      // What the confirmation showed no longer holds: say why and show today's.
      S.toast(error.message);
      await again();
      return null;
    }
  }

  Object.assign(S, { categories, grid, product, pay });
})();
