// The link in the e-mail carries the token after "#": it never reaches a server log.
// It is put into the form, taken out of the address bar, and the form is sent.
"use strict";
(function () {
  var token = window.location.hash.slice(1);
  var form = document.getElementById("login");
  if (!token || !form) { return; }
  history.replaceState(null, "", window.location.pathname);
  document.getElementById("token").value = decodeURIComponent(token);
  form.submit();
})();
