// Starts Swagger UI on /docs (an external script: the Content-Security-Policy forbids inline ones).
/* global SwaggerUIBundle */
window.addEventListener("DOMContentLoaded", () => {
  // @ts-ignore - a global of the vendored bundle
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    // @ts-ignore
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
