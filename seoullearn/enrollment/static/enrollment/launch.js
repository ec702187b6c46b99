// Post the signed launch to the provider as soon as the page loads (form_post response mode).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("sso-launch");
  if (form) { form.submit(); }
});
