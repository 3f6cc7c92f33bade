// What the customer bought: the delivered values (tap to copy, long ones as a download), the purchase history.
(() => {
  "use strict";
  const S = window.Shop;
  const { t, el } = S;

  function valueBox(item) {
    // A manual order staff have not delivered yet: when it is due; it arrives in the chat and here.
    if (item.preparing_until) return el("div", { class: "notice preparing" }, t("preparing", { date: S.dateTime(item.preparing_until) }));
    if (item.file && item.value === item.file.name) return null; // a file unit's value is its name: the file line shows it
    if (item.value) return el("div", { class: "value", title: t("copy"), onclick: () => copy(item.value) }, item.value);
    return el("a", { class: "button", href: item.download, download: "" }, t("download"));
  }

  function purchaseBox(item) {
    return el("div", { class: "line", "data-purchase": item.id },
      el("div", { class: "top" }, el("span", {}, item.product), el("span", {}, item.price.text)),
      el("div", { class: "muted" }, t("order", { number: item.order_number }), " · ", S.date(item.date)),
      valueBox(item),
      item.file ? fileBox(item) : null,
      item.warranty_until ? el("div", { class: "muted warranty" }, t("warrantyUntil", { date: S.dateTime(item.warranty_until) })) : null,
      item.claim ? el("div", { class: `claim ${item.claim.status}`, "data-claim": item.claim.id }, t("claimStatus", { claim: item.claim.id, status: item.claim.status_text })) : null,
      item.can_claim ? el("div", { class: "actions" }, el("a", { class: "button secondary report", href: `#/claim/${item.id}` }, t("report"))) : null);
  }

  // A file the purchase delivered: a signed download of the shop's copy, or sent to the chat by the bot
  // when only Telegram holds it (a page cannot fetch a Telegram file by its id).
  function fileBox(item) {
    const { file } = item;
    const action = file.download
      ? el("a", { class: "button download-file", href: file.download, download: file.name, onclick: (event) => download(event, file) }, t("download"))
      : el("button", { class: "secondary send-file", type: "button", onclick: () => sendToChat(item) }, t("sendToChat"));
    return el("div", { class: "file" }, el("span", { class: "file-name" }, `📎 ${file.name} · ${S.fileSize(file.size)}`), action);
  }

  // Telegram's own download dialog where the client has one; elsewhere the link downloads as usual.
  function download(event, file) {
    if (!S.tg || !S.tg.downloadFile) return;
    event.preventDefault();
    S.tg.downloadFile({ url: new URL(file.download, window.location.href).href, file_name: file.name });
  }

  async function sendToChat(item) {
    const { queued } = await S.post(`purchases/${item.id}/send-file`);
    S.haptic("success");
    S.toast(t(queued ? "sentToChat" : "alreadySent"));
  }

  async function copy(text) {
    try { await navigator.clipboard.writeText(text); } catch (error) { /* not allowed here: the value stays on screen */ }
    S.haptic("success");
    S.toast(t("copied"));
  }

  function delivered(purchases) {
    S.haptic("success");
    S.setMainButton(null);
    S.show(el("h1", { id: "thanks" }, t("thanks")), purchases.map(purchaseBox), el("div", { class: "actions" }, el("a", { class: "button", href: "#/history" }, t("history"))));
  }

  async function history(page = 1, box = null) {
    const data = await S.api(`purchases?page=${page}`);
    const items = data.items.map(purchaseBox);
    if (box) { S.appendPage(box, items, data, (next) => history(next, box)); return; }
    const list = el("div", { id: "purchases" }, items);
    S.show(el("h1", {}, t("history")), data.items.length ? list : el("p", { class: "muted" }, t("noPurchases")), S.pager(data, (next) => history(next, list)) || "");
  }

  Object.assign(S, { delivered, history });
})();
