// The bot's menu button in the simulator: opens the shop's Mini App in a panel, signed in as
// the simulated user chosen above (the page gets initData signed by the server for them).
(() => {
  "use strict";
  const panel = document.getElementById("miniapp-panel");
  const frame = document.getElementById("miniapp-frame");
  document.getElementById("open-shop").addEventListener("click", () => {
    const user = document.getElementById("persona").value;
    frame.src = `${panel.dataset.url}?simulator=${encodeURIComponent(user)}`;
    panel.hidden = false;
  });
  document.getElementById("miniapp-close").addEventListener("click", () => {
    panel.hidden = true;
    frame.src = "about:blank";
  });
})();
