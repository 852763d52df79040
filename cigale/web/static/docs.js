// Swagger UI for /docs, loaded from this server (no CDN, no inline script).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
