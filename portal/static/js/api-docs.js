// Renders the API reference with Redoc (served from the site's static files). Redoc writes its
// styles into <style> elements; the page's Content-Security-Policy admits them by the nonce the
// container carries.
document.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("api-reference");
  if (!container || typeof Redoc === "undefined") {
    return;
  }
  Redoc.init(
    container.dataset.specUrl,
    { nonce: container.dataset.nonce, disableSearch: true, hideDownloadButton: false },
    container
  );
});
