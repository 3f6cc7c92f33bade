// The chat simulator's page: renders the fake Telegram's chat and sends what a Telegram client would.
// Message HTML arrives already made safe by the server (telegrambot/simulator/html.py); everything
// else is put on the page as text.
"use strict";

(function () {
  const POLL_MS = 1000;
  const urls = JSON.parse(document.getElementById("simulator-urls").textContent);
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const state = { user: null, version: null, busy: 0, paying: null, timer: null };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // --- talking to the server ----------------------------------------------------
  async function post(url, fields) {
    const body = fields instanceof FormData ? fields : new FormData();
    if (!(fields instanceof FormData)) Object.entries(fields).forEach(([k, v]) => body.append(k, v));
    body.append("user", state.user);
    state.busy += 1;
    document.body.classList.add("busy");
    try {
      const response = await fetch(url, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      });
      const data = await response.json().catch(() => ({ error: "The server answered " + response.status + "." }));
      showOutcome(data);
      return data;
    } catch (error) {
      showToast("The simulator cannot be reached: " + error.message);
      return { error: String(error) };
    } finally {
      state.busy -= 1;
      if (!state.busy) document.body.classList.remove("busy");
      await refresh();
    }
  }

  async function refresh() {
    if (!state.user) return;
    const user = state.user;
    const query = new URLSearchParams({ user, since: state.version === null ? "" : state.version });
    let data;
    try {
      const response = await fetch(urls.chat + "?" + query, { credentials: "same-origin" });
      if (response.status === 404 && !state.restartShown) {
        state.restartShown = true;  // the web process restarted and forgot its simulated users
        showToast("The simulator was restarted: reload the page.", "warning");
      }
      if (!response.ok) return;
      data = await response.json();
    } catch (error) {
      return;  // the next poll tries again
    }
    if (user !== state.user || !data.changed) return;
    state.version = data.version;
    renderChat(data);
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      if (!document.hidden) await refresh();
      schedule();
    }, POLL_MS);
  }

  function showOutcome(data) {
    if (data.refused && data.refused.length) {
      showToast("Telegram refused a call: " + data.refused.join("; "), "warning");
    }
    if (data.error) {
      showToast(data.error, "warning");
    } else if (data.answer && data.answer.text) {
      if (data.answer.show_alert) showAlert(data.answer.text);
      else showToast(data.answer.text);
    }
  }

  // --- rendering ----------------------------------------------------------------
  function renderChat(data) {
    const box = $("chat");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const list = $("messages");
    list.replaceChildren(...data.messages.map(renderMessage));
    $("empty").hidden = data.messages.length > 0;
    renderCommands(data.commands || []);
    renderPersonaNote(data.persona);
    if (atBottom || state.scrollDown) box.scrollTop = box.scrollHeight;
    state.scrollDown = false;
  }

  function renderMessage(message) {
    if (message.service) {
      const line = el("div", "service", message.service);
      line.dataset.messageId = message.id;
      return line;
    }
    const row = el("div", "row " + (message.from_bot ? "incoming" : "outgoing"));
    row.dataset.messageId = message.id;
    row.dataset.kind = message.kind;
    const bubble = el("div", "bubble");
    if (message.photo) bubble.append(renderPhoto(message));
    if (message.document) bubble.append(renderDocument(message.document));
    if (message.invoice) bubble.append(renderInvoice(message));
    if (message.html) {
      const text = el("div", "text");
      text.innerHTML = message.html;  // made safe on the server
      bubble.append(text);
    }
    const time = el("span", "time", (message.edited ? "edited " : "") + clock(message.date));
    bubble.append(time);
    row.append(bubble);
    let buttons = message.buttons;
    if (message.invoice && !buttons.length) {
      // Telegram adds the Pay button itself when the bot sends an invoice without a keyboard.
      buttons = [[{ kind: "pay", text: "Pay " + message.invoice.total }]];
    }
    if (buttons.length) row.append(renderKeyboard(message, buttons));
    return row;
  }

  function clock(seconds) {
    const date = new Date(seconds * 1000);
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  function renderPhoto(message) {
    const frame = el("div", "photo");
    const placeholder = () => {
      frame.replaceChildren(el("div", "placeholder", "🖼 Photo"));
      frame.classList.add("missing");
    };
    if (!message.photo.src) {
      placeholder();
      return frame;
    }
    const image = el("img");
    image.alt = "Photo";
    image.loading = "lazy";
    image.referrerPolicy = "no-referrer";
    image.addEventListener("error", placeholder);
    image.src = message.photo.src;
    frame.append(image);
    return frame;
  }

  function renderDocument(documentInfo) {
    const box = el("div", "document");
    box.append(el("span", "icon", "📄"));
    const info = el("div", "info");
    if (documentInfo.url) {
      const link = el("a", "name", documentInfo.name);
      link.href = documentInfo.url;
      link.setAttribute("download", documentInfo.name);
      link.rel = "noopener";
      info.append(link);
    } else {
      info.append(el("span", "name", documentInfo.name + " (not available in the simulator)"));
    }
    if (documentInfo.size !== null) info.append(el("span", "size", formatSize(documentInfo.size)));
    box.append(info);
    return box;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function renderInvoice(message) {
    const invoice = message.invoice;
    const box = el("div", "invoice");
    box.append(el("strong", "invoice-title", invoice.title));
    box.append(el("p", "invoice-description", invoice.description));
    box.append(el("p", "invoice-total", invoice.total));
    if (invoice.paid) box.append(el("span", "paid", "✓ Paid"));
    return box;
  }

  function renderKeyboard(message, buttons) {
    const keyboard = el("div", "keyboard");
    buttons.forEach((row, rowIndex) => {
      const line = el("div", "keyrow");
      row.forEach((button, column) => line.append(renderButton(message, button, rowIndex, column)));
      keyboard.append(line);
    });
    return keyboard;
  }

  function renderButton(message, button, row, column) {
    if (button.kind === "url") {
      const link = el("a", "key url", button.text);
      link.href = button.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.title = button.url;
      return link;
    }
    const key = el("button", "key", button.text);
    key.type = "button";
    if (button.kind === "pay") {
      key.classList.add("pay");
      if (message.invoice && message.invoice.paid) {
        key.disabled = true;
        key.textContent = "✓ Paid";
      }
      key.addEventListener("click", () => openPayment(message));
    } else {
      key.addEventListener("click", () => post(urls.press, { message: message.id, row, column }));
    }
    return key;
  }

  function renderCommands(commands) {
    const list = $("commands");
    list.replaceChildren(...commands.map((command) => {
      const item = el("button", "command");
      item.type = "button";
      item.append(el("strong", null, "/" + command.command), el("span", null, command.description));
      item.addEventListener("click", () => {
        list.hidden = true;
        sendText("/" + command.command);
      });
      return item;
    }));
  }

  function renderPersonaNote(persona) {
    const note = $("persona-note");
    note.textContent = persona && persona.note ? persona.note : "";
    note.hidden = !note.textContent;
  }

  // --- dialogs ----------------------------------------------------------------
  let toastTimer = null;
  function showToast(text, tone) {
    const toast = $("toast");
    toast.textContent = text;
    toast.className = "toast" + (tone ? " " + tone : "");
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, tone ? 6000 : 3000);
  }

  function showAlert(text) {
    $("alert-text").textContent = text;
    $("alert").hidden = false;
    $("alert-ok").focus();
  }

  function openPayment(message) {
    const invoice = message.invoice;
    state.paying = message.id;
    $("payment-title").textContent = invoice.title;
    $("payment-description").textContent = invoice.description;
    const prices = $("payment-prices");
    prices.replaceChildren();
    invoice.prices.forEach((price) => prices.append(el("dt", null, price.label), el("dd", null, price.amount)));
    const stars = invoice.currency === "XTR";
    $("payment-method").textContent = stars
      ? "Paid from the simulated Telegram Stars balance."
      : "Paid with a simulated test card •••• 4242.";
    $("payment-confirm").textContent = "Pay " + invoice.total;
    $("payment").hidden = false;
    $("payment-confirm").focus();
  }

  async function confirmPayment() {
    const messageId = state.paying;
    $("payment").hidden = true;
    state.paying = null;
    state.scrollDown = true;
    const data = await post(urls.pay, { message: messageId });
    if (!data.error) showToast("Payment sent to the bot.");
  }

  // --- sending ------------------------------------------------------------------
  async function sendText(text) {
    state.scrollDown = true;
    await post(urls.send, { text });
  }

  async function switchUser(user) {
    state.user = user;
    state.version = null;
    state.scrollDown = true;
    const option = $("persona").selectedOptions[0];
    if (option) localStorage.setItem("simulator-persona", option.dataset.key);
    $("messages").replaceChildren();
    await refresh();
  }

  function bind() {
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("text");
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      await sendText(text);
      input.focus();
    });
    $("file").addEventListener("change", async () => {
      const file = $("file").files[0];
      if (!file) return;
      const form = new FormData();
      form.append("file", file);
      form.append("caption", $("text").value.trim());
      $("text").value = "";
      $("file").value = "";
      state.scrollDown = true;
      await post(urls.upload, form);
    });
    $("start").addEventListener("click", () => sendText("/start"));
    $("menu").addEventListener("click", () => { $("commands").hidden = !$("commands").hidden; });
    $("persona").addEventListener("change", (event) => switchUser(event.target.value));
    $("new-customer").addEventListener("click", async () => {
      const data = await post(urls.users, {});
      if (!data.persona) return;
      const option = el("option", null, data.persona.name + " — " + data.persona.description);
      option.value = data.persona.id;
      option.dataset.key = data.persona.key;
      $("persona").append(option);
      $("persona").value = option.value;
      await switchUser(option.value);
    });
    $("clear-chat").addEventListener("click", () => post(urls.clear, {}));
    $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
    $("payment-cancel").addEventListener("click", () => { $("payment").hidden = true; });
    $("payment-confirm").addEventListener("click", confirmPayment);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") ["alert", "payment", "commands"].forEach((id) => { $(id).hidden = true; });
    });
  }

  function chooseInitialUser() {
    const select = $("persona");
    const wanted = new URLSearchParams(location.search).get("as") || localStorage.getItem("simulator-persona");
    const option = Array.from(select.options).find((item) => item.dataset.key === wanted);
    if (option) select.value = option.value;
    return select.value;
  }

  bind();
  switchUser(chooseInitialUser()).then(schedule);
})();
