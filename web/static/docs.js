// Starts Swagger UI on /docs over the service's own OpenAPI document (no validator badge:
// it would call another host).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
});
