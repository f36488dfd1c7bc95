// The doctor's board (web/templates/board.html): take a shift without leaving one's place.
// A take-form is sent with fetch, asking for JSON (web/pages_board.py); the page is not
// reloaded, so the scroll position, the month and the filters stay. Taken: the shift leaves
// the options container ([data-live], which live.js prunes when anyone takes a shift) for
// "Mine vakter", a quiet mark stays where it was so nothing below jumps, and focus stays there.
// Refused: the reason and its rule show by the shift. Both are announced in the live region.
// Without JavaScript, or when fetch fails, the form posts as usual (303 back to the same place).
(() => {
  "use strict";
  const status = () => document.getElementById("board-status");

  function say(message) {
    const region = status();
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = message; }, 30);
  }

  function took(form, answer) {
    const name = form.dataset.name || "";
    const mark = document.createElement("span");
    mark.className = "mine-mark";
    mark.tabIndex = -1;
    mark.textContent = "✓ " + (form.dataset.short || name);
    form.replaceWith(mark); // out of [data-live] at once: live.js never counts it as lost
    mark.focus({ preventScroll: true });
    const list = document.querySelector("#mine-list tbody");
    if (list) {
      const row = document.createElement("tr");
      row.dataset.shift = answer.shift;
      const cell = document.createElement("td");
      cell.textContent = name;
      row.append(cell);
      list.append(row);
      const none = document.getElementById("mine-none"); // a row of the same height: nothing moves
      if (none) none.remove();
    }
    const standing = document.querySelector("[data-testid=standing]");
    if (standing && answer.standing) standing.textContent = answer.standing;
    say(`${status().dataset.took}: ${name}`);
  }

  function refused(form, answer) {
    const name = form.dataset.name || "";
    const note = document.createElement("p");
    note.className = "refusal";
    note.dataset.testid = "outcome";
    note.append(`${answer.reason} · `);
    const rule = document.createElement("span");
    rule.className = "rule";
    rule.textContent = answer.rule || "";
    note.append(rule);
    const old = form.parentElement.querySelector(`p.refusal[data-for="${CSS.escape(answer.shift || "")}"]`);
    if (old) old.remove();
    note.dataset.for = answer.shift || "";
    if (answer.code === "taken") {
      note.prepend(`${form.dataset.short || name} – `);
      form.replaceWith(note); // gone for everyone: nothing left to press
    } else {
      form.after(note);
    }
    note.tabIndex = -1;
    note.focus({ preventScroll: true });
    say(`${status().dataset.refused}: ${name} – ${answer.reason} · ${answer.rule || ""}`);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("take") || !window.fetch) return;
    event.preventDefault();
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    let answer = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)),
      });
      if ((response.headers.get("content-type") || "").includes("application/json")) {
        answer = await response.json();
      }
    } catch (error) {
      answer = null;
    }
    delete form.dataset.busy;
    if (!answer || typeof answer.accepted !== "boolean") {
      form.submit(); // the plain way: the server answers 303 back to this place
    } else if (answer.accepted) {
      took(form, answer);
    } else {
      refused(form, answer);
    }
  });
})();
