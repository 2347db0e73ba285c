// Starts ReDoc on /redoc (an external script: the Content-Security-Policy forbids inline ones).
window.addEventListener("DOMContentLoaded", () => {
  // @ts-ignore - a global of the vendored bundle
  window.Redoc.init("/openapi.json", { disableSearch: false }, document.getElementById("redoc"));
});
