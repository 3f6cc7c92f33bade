// Reporting a problem with a purchase within its warranty: a reason, an optional description, the claim's number.
// The server opens the claim with the chat's own rules (owner, warranty, one open claim, the claim limit).
(() => {
  "use strict";
  const S = window.Shop;
  const { t, el } = S;
  const TEXT_MAX = 1000;

  // The reasons the chat offers, in its order: the page's texts carry them as "reason:<value>".
  function reasons() {
    return Object.keys(S.state.texts).filter((key) => key.startsWith("reason:")).map((key) => key.slice("reason:".length));
  }

  async function reportProblem(id) {
    const { purchase: item } = await S.api(`purchases/${id}`);
    const heading = el("h1", {}, t("report"));
    const order = el("p", { class: "muted" }, t("order", { number: item.order_number }), " · ", item.product);
    if (!item.can_claim) {
      S.show(heading, order, el("div", { class: "notice", id: "claim-refused" }, item.claim_refusal), backToHistory());
      return;
    }
    const choices = reasons().map((reason) => el("label", { class: "choice" },
      el("input", { type: "radio", name: "reason", value: reason }), " ", t(`reason:${reason}`)));
    const text = el("textarea", { id: "claim-text", rows: "5", maxlength: String(TEXT_MAX), placeholder: t("describe"), "aria-label": t("describe") });
    const form = el("form", { id: "claim-form", class: "claim-form", onsubmit: (event) => { event.preventDefault(); S.once(() => send(item, form, text)); } },
      el("fieldset", {}, el("legend", {}, t("whatIsWrong")), choices), text);
    S.show(heading, order, form);
    S.setMainButton(t("sendReport"), () => S.once(() => send(item, form, text)));
  }

  async function send(item, form, text) {
    const chosen = form.querySelector("input[name=reason]:checked");
    if (!chosen) { S.toast(t("whatIsWrong")); return; }
    if (text.value.length > TEXT_MAX) { S.toast(t("tooLong")); return; }
    const { claim } = await S.post(`purchases/${item.id}/claim`, { reason: chosen.value, text: text.value });
    S.haptic("success");
    S.setMainButton(null);
    S.show(el("h1", {}, t("report")), el("div", { class: "notice", id: "claim-opened", "data-claim": claim.id }, t("claimOpened", { claim: claim.id })), backToHistory());
  }

  function backToHistory() {
    return el("div", { class: "actions" }, el("a", { class: "button", href: "#/history" }, t("history")));
  }

  Object.assign(S, { reportProblem });
})();
