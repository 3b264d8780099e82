// ChainSight pages: small progressive enhancements only (every page works without this file).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A select marked data-autosubmit submits its form when changed (sort, filters).
  for (const el of document.querySelectorAll("select[data-autosubmit]")) {
    el.addEventListener("change", () => el.form && el.form.submit());
  }
});
