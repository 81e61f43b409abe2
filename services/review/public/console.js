// Keyboard shortcuts of the review console (no framework, no build). Queue: j/k move, Enter
// opens. Item: a accept, e edit (first correction field), r reject, j/k next/previous item,
// u back to the queue. Keys typed into a form field are left alone.
(() => {
  const typing = (t) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  const rows = [...document.querySelectorAll("[data-queue-row]")];
  let selected = 0;
  const select = (i) => {
    if (rows.length === 0) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => r.classList.toggle("selected", j === selected));
    rows[selected].scrollIntoView({ block: "nearest" });
  };
  select(0);
  const go = (selector) => {
    const link = document.querySelector(selector);
    if (link) location.href = link.getAttribute("href");
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const item = document.querySelector("[data-item]");
    const key = event.key;
    if (!item) {
      if (key === "j") select(selected + 1);
      else if (key === "k") select(selected - 1);
      else if (key === "Enter" && rows[selected]) go(`#${rows[selected].id} a`);
      else return;
    } else if (key === "a") document.querySelector("#accept-form")?.requestSubmit();
    else if (key === "e") document.querySelector("#correct-form input[type=text]")?.focus();
    else if (key === "r") {
      if (confirm("Reject this document as unusable?")) document.querySelector("#reject-form")?.requestSubmit();
    } else if (key === "j") go("#next-item");
    else if (key === "k") go("#previous-item");
    else if (key === "u") go("#queue-link");
    else return;
    event.preventDefault();
  });
  // Hovering a value lights up its citations in the text.
  for (const row of document.querySelectorAll("[data-field-row]")) {
    const field = row.getAttribute("data-field-row");
    const marks = [...document.querySelectorAll("mark.cite")].filter((m) => m.dataset.fields.split(" ").includes(field));
    row.addEventListener("mouseenter", () => marks.forEach((m) => m.classList.add("active")));
    row.addEventListener("mouseleave", () => marks.forEach((m) => m.classList.remove("active")));
  }
})();
