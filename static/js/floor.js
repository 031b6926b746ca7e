/* Check-in page: entries made with no network (check-ins, held / no-show marks) are queued in
   this phone's localStorage and sent, oldest first, when the network returns. Each mark carries
   the meeting version the page showed; the server refuses (409) a mark on a meeting changed
   since, and the refusal is listed under "Not saved" instead of being lost or forced through. */
(function () {
  "use strict";
  var root = document.getElementById("floor");
  if (!root || !window.localStorage) {
    return;
  }
  var queueKey = "mm-floor-queue:" + root.dataset.user;
  var refusedKey = "mm-floor-refused:" + root.dataset.user;
  var sentKey = "mm-floor-sent";

  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "[]");
    } catch (error) {
      return [];
    }
  }
  function save(key, value) {
    window.localStorage.setItem(key, JSON.stringify(value));
  }
  function fill(section, list, items, text) {
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = text(item);
      list.appendChild(li);
    });
    section.hidden = items.length === 0;
  }
  function render() {
    fill(root.querySelector("[data-queue]"), root.querySelector("[data-queue-list]"),
      load(queueKey), function (item) { return item.label; });
    fill(root.querySelector("[data-conflicts]"), root.querySelector("[data-conflict-list]"),
      load(refusedKey), function (item) { return item.label + ": " + item.message; });
    var sent = window.sessionStorage.getItem(sentKey);
    var note = root.querySelector("[data-sent-note]");
    if (sent && note) {
      note.textContent = root.dataset.msgSent.replace("{count}", sent);
      note.hidden = false;
      window.sessionStorage.removeItem(sentKey);
    }
  }

  function enqueue(action, fields, label) {
    var queue = load(queueKey);
    queue.push({ action: action, fields: fields, label: label, at: new Date().toISOString() });
    save(queueKey, queue);
    render();
  }

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

  var syncing = false;
  // Sends the queue, oldest first; answers how many entries the server took.
  async function sync() {
    if (syncing || !navigator.onLine || load(queueKey).length === 0) {
      return 0;
    }
    syncing = true;
    var sent = 0;
    try {
      var tokenResponse = await fetch(root.dataset.tokenUrl, {
        credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
      });
      if (!tokenResponse.ok || tokenResponse.redirected) {
        return 0; // logged out: the queue waits for the next log-in on this phone
      }
      var token = (await tokenResponse.json()).csrf_token;
      var queue = load(queueKey);
      while (queue.length) {
        var item = queue[0];
        var body = new URLSearchParams(item.fields);
        body.append("csrf_token", token);
        var response;
        try {
          response = await fetch(item.action, {
            method: "POST", body: body, credentials: "same-origin",
            headers: { Accept: "application/json" },
          });
        } catch (error) {
          break; // the network went again: keep the rest
        }
        if (response.redirected || response.status >= 500) {
          break; // logged out, or the server is in trouble: try again later
        }
        if (response.ok) {
          sent += 1;
        } else {
          var message = response.statusText;
          try {
            message = (await response.json()).message || message;
          } catch (error) { /* not JSON: keep the status text */ }
          var refused = load(refusedKey);
          refused.push({ label: item.label, message: message });
          save(refusedKey, refused);
        }
        queue.shift();
        save(queueKey, queue);
      }
    } finally {
      syncing = false;
      render();
    }
    if (sent) {
      window.sessionStorage.setItem(sentKey, String(sent));
    }
    return sent;
  }

  var dismiss = root.querySelector("[data-conflicts-dismiss]");
  if (dismiss) {
    dismiss.addEventListener("click", function () {
      save(refusedKey, []);
      render();
    });
  }
  // Back online: send what waits, then show the page as it is now.
  window.addEventListener("online", function () {
    sync().catch(function () { return 0; }).then(function () { window.location.reload(); });
  });
  render();
  sync().catch(function () { return 0; }).then(function (sent) {
    if (sent) {
      window.location.reload();
    }
  });
})();
