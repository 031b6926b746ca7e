/* Meeting outcome form: filled in with no network (or when sending it finds none), its fields
   are queued on this phone (static/js/queue.js) and sent when the network returns, with the
   version of the meeting and outcome the form was opened with; the server refuses (409) an
   entry on a meeting moved or an outcome changed since, listed under "Not saved". */
(function () {
  "use strict";
  var root = document.getElementById("outcome");
  if (!root || !window.localStorage || !window.mmQueue) {
    return;
  }
  var queue = window.mmQueue(root, "outcome");
  var form = root.querySelector("form[data-queue-form]");
  var note = root.querySelector("[data-queued-note]");

  function keep() {
    var data = new FormData(form);
    data.delete("csrf_token");
    queue.enqueue(form.action, Array.from(data.entries()), form.dataset.label);
    if (note) {
      note.hidden = false;
    }
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!navigator.onLine) {
        keep();
        return;
      }
      // Online: send it here, so that a network that fails on the way keeps the entry.
      fetch(form.action, {
        method: "POST", body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin", headers: { Accept: "application/json" },
      }).then(function (response) {
        if (response.status >= 500) {
          keep(); // the venue's network reaches a proxy but not the app
          return null;
        }
        if (!response.ok || response.redirected) {
          form.submit(); // a refusal: the server shows the form again, with the reason
          return null;
        }
        return response.json().then(function (answer) {
          window.location.href = answer.redirect;
        });
      }, keep);
    });
  }
  queue.start();
})();
