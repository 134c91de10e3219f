// jixiao team server: the CSRF token of the session goes with every form the page posts.
"use strict";

(() => {
  const meta = document.querySelector("meta[name=csrf-token]");
  if (!meta) {
    return;
  }
  const token = meta.content;
  document.querySelectorAll("form").forEach((form) => {
    if ((form.method || "").toLowerCase() !== "post" || form.querySelector("input[name=csrf]")) {
      return;
    }
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrf";
    input.value = token;
    form.prepend(input);
  });
})();
