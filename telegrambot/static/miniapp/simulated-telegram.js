// A stand-in for Telegram's telegram-web-app.js where there is no Telegram: the chat simulator's
// panel and the browser tests. window.Telegram.WebApp with initData signed by the server for the
// simulated user, the theme's CSS variables, a MainButton and a BackButton drawn on the page
// (Telegram draws them outside it), and openInvoice paying through the simulated Telegram.
(() => {
  const element = document.getElementById("simulated-telegram");
  const setup = window.SIMULATED_TELEGRAM || JSON.parse(element.textContent);
  const root = document.documentElement;
  for (const [name, value] of Object.entries(setup.themeParams)) {
    root.style.setProperty(`--tg-theme-${name.replace(/_/g, "-")}`, value);
  }
  root.style.background = setup.themeParams.bg_color;
  function handlers() {
    const list = [];
    return {
      list,
      on(callback) { list.push(callback); },
      off(callback) { const index = list.indexOf(callback); if (index >= 0) list.splice(index, 1); },
      fire() { for (const callback of [...list]) callback(); },
    };
  }
  function drawn(id, style, click) {
    const node = document.createElement("button");
    node.id = id;
    node.type = "button";
    node.hidden = true;
    node.setAttribute("style", style);
    node.addEventListener("click", click);
    const attach = () => document.body.append(node);
    if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
    return node;
  }
  const main = handlers();
  const back = handlers();
  const mainNode = drawn("tg-main-button", `position:fixed;left:0;right:0;bottom:0;width:100%;padding:14px;border:0;border-radius:0;font-size:16px;font-weight:600;background:${setup.themeParams.button_color};color:${setup.themeParams.button_text_color};z-index:10`, () => main.fire());
  const backNode = drawn("tg-back-button", `position:fixed;left:8px;bottom:60px;padding:6px 12px;border:0;border-radius:14px;background:${setup.themeParams.secondary_bg_color};color:${setup.themeParams.link_color};z-index:10`, () => back.fire());
  backNode.textContent = "‹ Back";
  const events = {};
  window.Telegram = {
    WebApp: {
      initData: setup.initData,
      initDataUnsafe: {},
      colorScheme: setup.colorScheme,
      themeParams: setup.themeParams,
      platform: "tdesktop",
      version: "8.0",
      ready() {},
      expand() {},
      onEvent(name, callback) { (events[name] = events[name] || []).push(callback); },
      showConfirm(message, callback) { window.__confirmed = message; callback(true); },
      // Another bot or page opens outside the Mini App in Telegram; here the link is only remembered.
      openTelegramLink(url) { window.__opened = url; },
      openLink(url) { window.__opened = url; },
      HapticFeedback: { notificationOccurred() {}, impactOccurred() {} },
      MainButton: {
        setText(text) { mainNode.textContent = text; return this; },
        show() { mainNode.hidden = false; return this; },
        hide() { mainNode.hidden = true; return this; },
        onClick(callback) { main.on(callback); return this; },
        offClick(callback) { main.off(callback); return this; },
      },
      BackButton: {
        show() { backNode.hidden = false; return this; },
        hide() { backNode.hidden = true; return this; },
        onClick(callback) { back.on(callback); return this; },
        offClick(callback) { back.off(callback); return this; },
      },
      openInvoice(url, callback) {
        const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
        fetch(setup.payUrl, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf },
          body: new URLSearchParams({ user: setup.user, link: url }),
          credentials: "same-origin",
        })
          .then((response) => response.json())
          .then((answer) => callback(answer.error ? "failed" : "paid"), () => callback("failed"));
      },
    },
  };
})();
