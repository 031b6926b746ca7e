/* Entries made with no network, kept in this phone's localStorage (one queue per user and
   page kind) and sent, oldest first, when the network returns, each with a fresh CSRF token.
   An entry the server refuses (a 409 when what it was made on changed meanwhile, a 422) is
   listed under "Not saved" with the server's reason, never lost nor forced through.
   Used by floor.js and outcome.js: window.mmQueue(root, name) where root carries data-user,
   data-token-url and data-msg-sent, and holds the [data-queue], [data-conflicts] and
   [data-sent-note] elements the pages render. */
(function () {
  "use strict";

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
    if (!section || !list) {
      return;
    }
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = text(item);
      list.appendChild(li);
    });
    section.hidden = items.length === 0;
  }

  window.mmQueue = function (root, name) {
    var queueKey = "mm-" + name + "-queue:" + root.dataset.user;
    var refusedKey = "mm-" + name + "-refused:" + root.dataset.user;
    var sentKey = "mm-" + name + "-sent";
    var syncing = false;

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

    // Keeps an entry: the form's address and its fields (without the CSRF token).
    function enqueue(action, fields, label) {
      var queue = load(queueKey);
      queue.push({ action: action, fields: fields, label: label, at: new Date().toISOString() });
      save(queueKey, queue);
      render();
    }

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

    // Shows the queue, sends it now if there is network, and again when the network returns;
    // the page reloads after a send to show what the server now holds.
    function start() {
      var dismiss = root.querySelector("[data-conflicts-dismiss]");
      if (dismiss) {
        dismiss.addEventListener("click", function () {
          save(refusedKey, []);
          render();
        });
      }
      window.addEventListener("online", function () {
        sync().catch(function () { return 0; }).then(function () { window.location.reload(); });
      });
      render();
      sync().catch(function () { return 0; }).then(function (sent) {
        if (sent) {
          window.location.reload();
        }
      });
    }

    return { enqueue: enqueue, render: render, sync: sync, start: start };
  };
})();
