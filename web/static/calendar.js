// The calendar link's "Kopier lenken" button (a file: the CSP allows no inline script). Without
// JavaScript or a clipboard the button stays hidden and the address field is there to copy by hand.
(() => {
  const button = document.querySelector("button[data-copy]");
  if (!button || !navigator.clipboard) return;
  const status = document.querySelector("[data-copy-status]");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      if (status) status.textContent = button.dataset.copied;
    } catch (error) {
      const field = document.getElementById("feed-url");
      if (field) { field.focus(); field.select(); }
    }
  });
})();
