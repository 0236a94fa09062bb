// Shows the Flemish share of additional work while its estimate is typed. The server computes
// it (/bestellingen/aandeel), so the rule stays in one place; without JavaScript the form's
// "compute the share" button does the same.
(function () {
  var input = document.getElementById("estimated_cost_euro");
  var out = document.getElementById("share-live");
  if (!input || !out) return;
  var form = input.form;
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var params = new URLSearchParams({
        programme_id: form.elements["programme_id"].value,
        estimated_cost_euro: input.value
      });
      fetch("/bestellingen/aandeel?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (text) { out.textContent = text; })
        .catch(function () {});
    }, 300);
  });
})();
