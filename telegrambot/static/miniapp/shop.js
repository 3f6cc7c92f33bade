// The Mini App storefront's start: sign-in, routing between the screens the other scripts add to
// window.Shop (core.js, catalog.js, cart.js, history.js, claims.js, balance.js, loaded before it), refusals.
(() => {
  "use strict";
  const S = window.Shop;
  const { tg, t, el, state } = S;
  // One session per Telegram account: a browser may open the shop as several people (the simulator).
  const SESSION = `shop-session:${signedUserId()}`;
  state.token = sessionStorage.getItem(SESSION);
  let signedIn = null; // the sign-in every screen waits for

  function signedUserId() {
    try { return JSON.parse(new URLSearchParams(tg ? tg.initData : "").get("user")).id; } catch (error) { return ""; }
  }

  const routes = [
    [/^#?\/?$/, () => S.categories(), "home"],
    [/^#\/c\/(\d+)$/, (id) => S.grid("", `categories/${id}`), "home"],
    [/^#\/s\/(.+)$/, (query) => S.grid(t("searchResults"), `search?q=${encodeURIComponent(decodeURIComponent(query))}`), "home"],
    [/^#\/p\/(\d+)$/, (id) => S.product(id), "home"],
    [/^#\/cart$/, () => S.cart(), "cart"],
    [/^#\/history$/, () => S.history(), "history"],
    [/^#\/claim\/(\d+)$/, (id) => S.reportProblem(id), "history"],
    [/^#\/balance$/, () => S.balance(), "balance"],
  ];

  async function route() {
    try { await signedIn; } catch (error) { return; } // the refusal is already on screen
    const hash = window.location.hash;
    const [pattern, draw, tab] = routes.find(([regex]) => regex.test(hash)) || routes[0];
    const match = hash.match(pattern) || [];
    const mine = ++state.screen;
    S.hideToast(); // leaving the screen the toast was about
    S.setMainButton(null);
    S.setBackButton(!["", "#", "#/", "#/cart", "#/history", "#/balance"].includes(hash));
    for (const link of document.querySelectorAll(".tabs a")) link.classList.toggle("active", link.dataset.tab === tab);
    try {
      await draw(...match.slice(1));
    } catch (error) {
      if (mine === state.screen) failed(error);
    }
  }

  function failed(error) {
    if (error.superseded) return; // the screen it was for is gone
    if (error.status === 401 && error.code === "session" && error.token && error.token === state.token) {
      sessionStorage.removeItem(SESSION);
      state.token = null;
    }
    if ([401, 403, 503].includes(error.status)) {
      const link = error.data && error.data.channel_url ? el("p", {}, el("a", { href: error.data.channel_url }, error.data.channel_url)) : null;
      S.show(el("div", { class: "notice", id: "refusal" }, error.message, link));
      S.setMainButton(null);
      return;
    }
    S.haptic("error");
    S.toast(error.message);
  }

  function labelTabs() {
    document.getElementById("tab-home").textContent = t("title");
    document.querySelector("#tab-cart .label").textContent = t("cart");
    document.getElementById("tab-history").textContent = t("history");
    document.getElementById("tab-balance").textContent = t("balance");
    document.getElementById("search").placeholder = t("search");
  }

  async function signIn() {
    if (state.token) {
      try { const data = await S.api("me"); S.setCartCount(data.cart_count); return; } catch (error) {
        if (error.status !== 401) throw error;
        state.token = null;
      }
    }
    const data = await S.post("session", { init_data: tg ? tg.initData : "" });
    state.token = data.token;
    sessionStorage.setItem(SESSION, state.token);
    const { cart_count: count } = await S.api("me");
    S.setCartCount(count);
  }

  function applyTheme() {
    document.documentElement.dataset.scheme = (tg && tg.colorScheme) || "light";
  }

  S.route = route;
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
