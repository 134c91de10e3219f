// jixiao team server: the CSRF token of the session goes with every form the page posts, and
// a decision posted after the session ended is kept, the reviewer logs in again, and it is
// posted then (with the new session's token).
"use strict";

(() => {
  const meta = document.querySelector("meta[name=csrf-token]");
  if (!meta) {
    return;
  }
  const token = meta.content;
  const PENDING = "jixiao-pending-posts";

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

  function pending() {
    try {
      return JSON.parse(sessionStorage.getItem(PENDING) || "[]");
    } catch (error) {
      return [];
    }
  }

  // A post answered 401 (the session ended): keep it, and go to the login page.
  const send = window.fetch.bind(window);
  window.fetch = async (resource, options = {}) => {
    const response = await send(resource, options);
    if (response.status === 401 && options.body instanceof FormData) {
      const fields = [...options.body.entries()].filter(([name, value]) => name !== "csrf" && typeof value === "string");
      sessionStorage.setItem(PENDING, JSON.stringify([...pending(), { url: String(resource), fields }]));
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
    }
    return response;
  };

  // Logged in again: post what was kept, then show the page as it now is.
  const kept = pending();
  if (kept.length) {
    sessionStorage.removeItem(PENDING);
    (async () => {
      for (const post of kept) {
        const body = new FormData();
        post.fields.forEach(([name, value]) => body.append(name, value));
        body.append("csrf", token);
        await send(post.url, { method: "POST", body, headers: { Accept: "application/json" } });
      }
      window.location.reload();
    })();
  }
})();
