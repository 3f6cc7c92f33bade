// The balance and its top-ups: Stars (an invoice in Telegram) and CryptoPay (its invoice link).
(() => {
  "use strict";
  const S = window.Shop;
  const { t, el } = S;

  async function balance() {
    const data = await S.api("me");
    const me = S.state.me;
    const amount = el("input", { id: "amount", inputmode: "decimal", placeholder: t("amount"), maxlength: "12", "aria-label": t("amount") });
    const stars = me.stars ? el("button", { id: "top-up" }, t("topUp")) : null;
    const crypto = me.crypto ? el("button", { id: "top-up-crypto", type: "button", class: stars ? "secondary" : null, onclick: () => payCrypto(amount.value) }, t("topUpCrypto")) : null;
    // The amount field and the first way to pay share a row; a second way gets its own row, so the field keeps its width.
    const topUp = stars || crypto
      ? el("form", { class: "field", onsubmit: (event) => { event.preventDefault(); if (stars) S.payStars("stars/top-up", { amount: amount.value }); else payCrypto(amount.value); } }, amount, stars || crypto)
      : null;
    const more = stars && crypto ? el("div", { class: "actions" }, crypto) : null;
    S.show(el("h1", {}, t("balance")), el("div", { class: "balance", id: "balance" }, data.me.balance.text), topUp, more);
  }

  // CryptoPay's invoice is paid in its own bot (a t.me link) or page; the webhook credits it, "Check payment" asks now.
  async function payCrypto(amount) {
    const { payment_id: paymentId, pay_url: link } = await S.post("crypto/top-up", { amount });
    const tg = S.tg;
    if (tg && link.startsWith("https://t.me/") && tg.openTelegramLink) tg.openTelegramLink(link);
    else if (tg && tg.openLink) tg.openLink(link);
    else window.open(link, "_blank", "noopener");
    const check = el("button", { id: "check-payment", onclick: () => checkCrypto(paymentId) }, t("checkPayment"));
    S.show(el("h1", {}, t("balance")), el("div", { class: "notice", id: "crypto-invoice" }, t("cryptoOpened")), el("div", { class: "actions" }, el("a", { class: "button secondary", href: link, target: "_blank", rel: "noopener" }, t("openInvoice")), check));
  }

  async function checkCrypto(paymentId) {
    const { status } = await S.post(`crypto/${paymentId}/check`);
    if (status !== "paid") { S.toast(t(status === "pending" ? "notPaidYet" : "cryptoClosed")); return; }
    S.haptic("success");
    await balance();
    S.toast(t("credited"));
  }

  Object.assign(S, { balance });
})();
