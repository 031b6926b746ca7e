/* Check-in page: entries made with no network (check-ins, held / no-show marks) are queued in
   this phone's localStorage and sent, oldest first, when the network returns. Each mark carries
   the meeting version the page showed; the server refuses (409) a mark on a meeting changed
   since, and the refusal is listed under "Not saved" instead of being lost or forced through.
   The queue itself is static/js/queue.js. */
(function () {
  "use strict";
  var root = document.getElementById("floor");
  if (!root || !window.localStorage || !window.mmQueue) {
    return;
  }
  var queue = window.mmQueue(root, "floor");
  var enqueue = queue.enqueue;

  root.querySelectorAll("form[data-queue-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        return;
      }
      event.preventDefault();
      var data = new FormData(form);
      var button = event.submitter;
      if (button && button.name) {
        data.append(button.name, button.value);
      }
      data.delete("csrf_token");
      var label = form.dataset.label + (button ? " · " + button.textContent.trim() : "");
      enqueue(form.action, Array.from(data.entries()), label);
      if (button && button.name === "attendance") {
        form.querySelectorAll("button").forEach(function (other) {
          other.classList.toggle("secondary", other !== button);
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      }
    });
  });

  // A code typed with no network: open the kept page of that company if there is one,
  // else queue its check-in.
  var codeForm = root.querySelector("form[data-code-form]");
  if (codeForm) {
    codeForm.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        return;
      }
      event.preventDefault();
      var code = codeForm.querySelector("input[name=code]").value.trim();
      if (!code) {
        return;
      }
      var url = codeForm.action + "?code=" + encodeURIComponent(code);
      caches.match(url).then(function (kept) {
        if (kept) {
          window.location.href = url;
        } else {
          enqueue(root.dataset.presenceUrl, [["code", code], ["presence", "in"]],
            root.dataset.msgCheckIn.replace("{code}", code));
          codeForm.reset();
        }
      });
    });
  }

  queue.start();
})();
