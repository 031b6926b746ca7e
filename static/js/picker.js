// Searchable pickers: a <select data-picker> becomes a filter-as-you-type combobox.
// Progressive enhancement: the select stays in the form (hidden) and carries the value, so
// the form posts exactly as without JavaScript. Keyboard: type to filter, Up/Down to move,
// Enter to choose, Escape to close.
// On a large event the picker is a text <input data-picker-url> followed by a hidden input for
// the chosen id: matches are fetched from the server (JSON, a page at a time) as the user types;
// without JavaScript the server resolves the typed name.
(function () {
  "use strict";
  var MAX_SHOWN = 60;
  var counter = 0;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    counter += 1;
    var listId = "picker-list-" + counter;
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    var input = document.createElement("input");
    input.type = "text";
    input.className = "picker-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label) {
      if (!label.id) { label.id = select.id + "-label"; }
      input.setAttribute("aria-labelledby", label.id);
      label.setAttribute("for", select.id + "-search");
      input.id = select.id + "-search";
    } else if (select.getAttribute("aria-label")) {
      input.setAttribute("aria-label", select.getAttribute("aria-label"));
    }
    ["aria-invalid", "aria-describedby"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    input.placeholder = select.dataset.pickerPlaceholder || "…";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; })
      .map(function (o) { return { value: o.value, text: o.text, key: fold(o.text) }; });
    var active = -1;
    var shown = [];

    function current() {
      var chosen = select.options[select.selectedIndex];
      return chosen && chosen.value !== "" ? chosen.text : "";
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && items[index] && items[index].id) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }
    function choose(option) {
      select.value = option.value;
      input.value = option.text;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      close();
    }
    function render() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      shown = options.filter(function (o) {
        return words.every(function (w) { return o.key.indexOf(w) !== -1; });
      });
      list.textContent = "";
      shown.slice(0, MAX_SHOWN).forEach(function (o, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.textContent = o.text;
        item.addEventListener("mousedown", function (e) { e.preventDefault(); choose(o); });
        list.appendChild(item);
      });
      if (shown.length > MAX_SHOWN) {
        var more = document.createElement("li");
        more.className = "picker-more";
        more.textContent = "+" + (shown.length - MAX_SHOWN);
        list.appendChild(more);
      }
      if (!shown.length) {
        var none = document.createElement("li");
        none.className = "picker-more";
        none.textContent = "—";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(shown.length ? 0 : -1);
    }

    input.value = current();
    input.addEventListener("input", render);
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (e) {
      var limit = Math.min(shown.length, MAX_SHOWN);
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { render(); } else if (limit) { highlight((active + 1) % limit); }
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (!list.hidden && limit) { highlight((active - 1 + limit) % limit); }
      } else if (e.key === "Enter") {
        if (!list.hidden) {
          e.preventDefault();
          if (active >= 0 && shown[active]) { choose(shown[active]); }
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); }
        input.value = current();
        close();
      }
    });
    input.addEventListener("blur", function () {
      if (input.value.trim() === "") {
        select.value = "";
      } else {
        input.value = current();
      }
      close();
    });
    select.hidden = true;
    select.setAttribute("tabindex", "-1");
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(select);
  }

  function enhanceRemote(input) {
    counter += 1;
    var listId = "picker-list-" + counter;
    var hidden = input.nextElementSibling;
    if (!hidden || hidden.type !== "hidden") { return; }
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    input.classList.add("picker-input");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var chosenText = hidden.value ? input.value : "";
    var shown = [];
    var active = -1;
    var asked = 0;
    var timer = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && items[index] && items[index].id) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }
    function choose(option) {
      input.value = option.name;
      hidden.value = option.id;
      chosenText = option.name;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close();
    }
    function show(data) {
      shown = data.results;
      list.textContent = "";
      shown.forEach(function (o, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.textContent = o.name;
        item.addEventListener("mousedown", function (e) { e.preventDefault(); choose(o); });
        list.appendChild(item);
      });
      if (data.total > shown.length || !shown.length) {
        var more = document.createElement("li");
        more.className = "picker-more";
        more.textContent = shown.length ? "+" + (data.total - shown.length) : "—";
        list.appendChild(more);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(shown.length ? 0 : -1);
    }
    function lookUp() {
      var url = new URL(input.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", input.value);
      asked += 1;
      var ticket = asked;
      fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && ticket === asked && document.activeElement === input) { show(data); }
        })
        .catch(function () { /* offline: the typed name is resolved by the server */ });
    }
    function later() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(lookUp, 150);
    }

    input.addEventListener("input", function () {
      if (input.value !== chosenText) { hidden.value = ""; }
      later();
    });
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (e) {
      var limit = shown.length;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { lookUp(); } else if (limit) { highlight((active + 1) % limit); }
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (!list.hidden && limit) { highlight((active - 1 + limit) % limit); }
      } else if (e.key === "Enter") {
        if (!list.hidden) {
          e.preventDefault();
          if (active >= 0 && shown[active]) { choose(shown[active]); }
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); }
        close();
      }
    });
    input.addEventListener("blur", function () {
      if (input.value.trim() === "") { hidden.value = ""; }
      close();
    });
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(hidden);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-picker]"), enhance);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-picker-url]"), enhanceRemote);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
