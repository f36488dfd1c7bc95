// The board stays live (a file: the CSP allows no inline script). Why: while a doctor looks
// at their board, shifts others take must disappear within seconds, without reloading.
//
// The page's contract (server side: web/live.py, GET /periods/{period}/live):
// - an element with data-live="/periods/{period}/live?since={version}" holds the options;
// - inside it, each option's row (a <tr> or <li>, or the element itself) has data-shift="<id>";
//   a group of rows may be marked data-week: it is hidden when its last row goes;
// - an element data-testid="updated" with data-label="oppdatert kl" (the page's language) and
//   aria-live="polite" is set to "<label> <HH:MM>" on every change; when shifts were released
//   (offered to all), its optional data-released-label (e.g. "Det har kommet ledige vakter –
//   last siden på nytt") is added after it — rows are never invented; without the attribute
//   nothing is added.
// - the page includes <script src="/static/live.js" defer>.
// The browser reconnects by itself (the server's retry: hint) with Last-Event-ID; if the stream
// is closed for good, it is opened again a few times from the last version seen.
(() => {
  "use strict";
  const root = document.querySelector("[data-live]");
  if (!root || typeof window.EventSource !== "function") {
    return;
  }
  const MAX_REOPENS = 5;
  let version = null;
  let reopens = 0;
  let released = false;

  const rowOf = (cell) => {
    const row = cell.closest("tr, li") || cell;
    return root.contains(row) && row !== root ? row : cell;
  };

  const remove = (shift) => {
    for (const cell of root.querySelectorAll("[data-shift]")) {
      if (cell.dataset.shift !== shift || !root.contains(cell)) {
        continue;
      }
      const row = rowOf(cell);
      const week = row.parentElement ? row.parentElement.closest("[data-week]") : null;
      row.remove();
      if (week && root.contains(week) && !week.querySelector("[data-shift]")) {
        week.hidden = true;
      }
    }
  };

  const stamp = (at) => {
    const updated = document.querySelector("[data-testid=updated]");
    if (!updated) {
      return;
    }
    const label = updated.dataset.label || "";
    const extra = released && updated.dataset.releasedLabel ? " – " + updated.dataset.releasedLabel : "";
    updated.textContent = (label ? label + " " : "") + at + extra;
  };

  const onTaken = (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (_) {
      return;
    }
    if (!data || typeof data !== "object") {
      return;
    }
    if (Number.isInteger(data.version)) {
      version = data.version;
    }
    for (const shift of Array.isArray(data.taken) ? data.taken : []) {
      if (typeof shift === "string") {
        remove(shift);
      }
    }
    if (Array.isArray(data.released) && data.released.length > 0) {
      released = true;
    }
    if (typeof data.at === "string") {
      stamp(data.at);
    }
  };

  const url = () => {
    const address = new URL(root.dataset.live, window.location.href);
    if (version !== null) {
      address.searchParams.set("since", String(version));
    }
    return address.toString();
  };

  const open = () => {
    const source = new EventSource(url());
    source.addEventListener("taken", onTaken);
    source.addEventListener("open", () => {
      reopens = 0;
    });
    source.addEventListener("error", () => {
      // CONNECTING: the browser retries by itself. CLOSED: refused (signed out, say); a few tries.
      if (source.readyState === EventSource.CLOSED && reopens < MAX_REOPENS) {
        reopens += 1;
        window.setTimeout(open, 2000 * 2 ** reopens);
      }
    });
    window.addEventListener("pagehide", () => source.close(), { once: true });
  };

  open();
})();
