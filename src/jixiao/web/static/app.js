// jixiao web page: the little JavaScript it has. Every form also works without it.
"use strict";

// Intake forms: say that the work is under way, and stop double submissions.
document.querySelectorAll("form[data-busy]").forEach((form) => {
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = form.dataset.busy;
    }
  });
});

// The summary's decision counts follow the decisions made on the page.
function bump(bucket, by) {
  const stat = document.getElementById("stat-" + bucket);
  if (stat) {
    stat.textContent = String(Number(stat.textContent) + by);
  }
}

function showNote(form) {
  const text = form.querySelector("[data-note-text]");
  if (!text) {
    return;
  }
  const parts = [];
  if (form.dataset.reason) {
    parts.push("理由：" + form.dataset.reason);
  }
  if (form.dataset.note) {
    parts.push("备注：" + form.dataset.note);
  }
  text.textContent = parts.join("　"); // textContent: report text never becomes markup
}

// Reason and note fields, added on demand (the page stays light with hundreds of findings);
// without script the link opens the finding's own page with the fields.
const fields = document.getElementById("note-fields");
document.querySelectorAll("a.note-link").forEach((link) => {
  link.addEventListener("click", (event) => {
    const form = link.closest("form");
    if (!fields || !form) {
      return;
    }
    event.preventDefault();
    const inputs = fields.content.cloneNode(true);
    inputs.querySelector("[name=reason]").value = form.dataset.reason || "";
    inputs.querySelector("[name=note]").value = form.dataset.note || "";
    const text = form.querySelector("[data-note-text]");
    if (text) {
      text.hidden = true;
    }
    link.replaceWith(inputs);
    form.querySelector("[name=reason]").focus();
  });
});

// Decisions: saved in place (no reload, the page keeps its scroll position).
document.querySelectorAll("form.decide").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const card = form.closest(".finding");
    const saved = form.querySelector("[data-saved]");
    const body = new FormData(form, event.submitter);
    saved.classList.remove("failed");
    saved.textContent = "保存中…";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
      });
      const data = await response.json();
      if (!response.ok) {
        throw new Error(data.error || response.statusText);
      }
      const before = card.classList.contains("decided-confirmed")
        ? "confirmed"
        : card.classList.contains("decided-dismissed") ? "dismissed" : "undecided";
      const after = data.decision || "undecided";
      card.classList.remove("decided", "decided-confirmed", "decided-dismissed");
      if (data.decision) {
        card.classList.add("decided", "decided-" + data.decision);
      }
      bump(before, -1);
      bump(after, +1);
      form.dataset.reason = data.reason || "";
      form.dataset.note = data.note || "";
      showNote(form);
      card.querySelector("[data-status]").textContent = data.label;
      saved.textContent = "已保存";
    } catch (error) {
      saved.classList.add("failed");
      saved.textContent = "保存失败：" + error.message;
    }
  });
});
