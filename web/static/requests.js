// The requests page's two behaviours (a file: the CSP allows no inline script).
// 1. The reason list shows only the reasons of the chosen kind (without JavaScript every kind's
//    reasons are there, grouped); a leave has no reason but a substitute.
// 2. A decision appears without a reload: every 10 s the doctor's own requests are read
//    (GET /api/me/requests) and each status cell that changed is rewritten.
(() => {
  const kind = document.getElementById("kind");
  const reason = document.getElementById("reason");
  const substitute = document.getElementById("substitute");
  const fit = () => {
    if (!kind || !reason) return;
    for (const group of reason.querySelectorAll("optgroup")) {
      const mine = group.dataset.kind === kind.value;
      group.hidden = !mine;
      group.disabled = !mine;
    }
    const chosen = reason.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) reason.value = "";
    if (substitute) substitute.disabled = kind.value !== "leave";
  };
  if (kind) { kind.addEventListener("change", fit); fit(); }

  const words = document.querySelector("[data-status-words]");
  const cells = document.querySelectorAll("td[data-request]");
  if (!words || !cells.length) return;
  const refresh = async () => {
    try {
      const answer = await fetch("/api/me/requests", { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!answer.ok) return;
      for (const r of await answer.json()) {
        const cell = document.querySelector(`td[data-request="${r.request_id}"]`);
        if (!cell || cell.dataset.status === r.status) continue;
        cell.dataset.status = r.status;
        const text = cell.querySelector("[data-status-text]");
        if (text) text.textContent = words.dataset[r.status] || r.status;
        const form = cell.querySelector("form");
        if (form && r.status !== "pending") form.remove();
      }
    } catch (error) { /* offline for a moment: the next round tries again */ }
  };
  setInterval(refresh, 10000);
})();
