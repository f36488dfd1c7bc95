// The operator's round page stays live (a file: the CSP allows no inline script). Why: at the
// meeting and in the offering the clinic head watches coverage and the events grow while doctors
// act; a reload by hand is what they did before.
//
// The page's contract (server side: web/live.py, GET /operator/periods/{period}/live):
// - an element with data-round-live="/operator/periods/{period}/live?since={version}";
// - the parts to renew carry data-refresh="<name>" (the facts, the events table); on a change
//   the page fetches its own address and puts those parts in place; nothing else moves, so a
//   form being filled in keeps its text and focus;
// - an element data-testid="updated" with data-label ("oppdatert kl") and aria-live="polite".
(() => {
  "use strict";
  const root = document.querySelector("[data-round-live]");
  if (!root || typeof window.EventSource !== "function") {
    return;
  }
  let pending = null;

  const renew = async (at) => {
    pending = null;
    const answer = await fetch(window.location.href, {headers: {accept: "text/html"}, credentials: "same-origin"});
    if (!answer.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    for (const part of document.querySelectorAll("[data-refresh]")) {
      const next = fresh.querySelector(`[data-refresh="${part.dataset.refresh}"]`);
      if (next) {
        part.replaceWith(document.importNode(next, true));
      }
    }
    const updated = document.querySelector("[data-testid=updated]");
    if (updated) {
      updated.textContent = `${updated.dataset.label} ${at}`;
    }
  };

  const source = new EventSource(root.dataset.roundLive);
  source.addEventListener("taken", (event) => {
    const change = JSON.parse(event.data);
    if (pending === null) {
      pending = window.setTimeout(() => renew(change.at), 500);  // one fetch for a burst of claims
    }
  });
})();
