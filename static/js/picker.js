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

  // What both kinds of picker share: the combobox roles on ``input``, its listbox, the
  // highlighted option and the keyboard (Up/Down move, Enter chooses, Escape closes).
  function combobox(input) {
    counter += 1;
    var list = document.createElement("ul");
    list.id = "picker-list-" + counter;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var box = { list: list, active: -1 };
    box.close = function () {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      box.active = -1;
    };
    box.highlight = function (index) {
      var items = list.children;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      box.active = index;
      if (index >= 0 && items[index] && items[index].id) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    };
    // Lists ``options`` (their ``label``, choosing ``choose``), then a line ``more`` if any
    // ("+12" further matches, "—" none), and opens the list on the first option.
    box.show = function (options, label, choose, more) {
      list.textContent = "";
      options.forEach(function (o, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.textContent = label(o);
        item.addEventListener("mousedown", function (e) { e.preventDefault(); choose(o); });
        list.appendChild(item);
      });
      if (more) {
        var line = document.createElement("li");
        line.className = "picker-more";
        line.textContent = more;
        list.appendChild(line);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      box.highlight(options.length ? 0 : -1);
    };
    // ``shown``: the options listed; ``limit``: how many of them; ``open``: show the list;
    // ``choose(option)``; ``escape``: what Escape does besides closing.
    box.keys = function (e, shown, limit, open, choose, escape) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { open(); } else if (limit) { box.highlight((box.active + 1) % limit); }
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (!list.hidden && limit) { box.highlight((box.active - 1 + limit) % limit); }
      } else if (e.key === "Enter") {
        if (!list.hidden) {
          e.preventDefault();
          if (box.active >= 0 && shown[box.active]) { choose(shown[box.active]); }
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); }
        if (escape) { escape(); }
        box.close();
      }
    };
    return box;
  }

  function enhance(select) {
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    var input = document.createElement("input");
    input.type = "text";
    input.className = "picker-input";
    input.setAttribute("autocomplete", "off");
    var box = combobox(input);
    var list = box.list;
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
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; })
      .map(function (o) { return { value: o.value, text: o.text, key: fold(o.text) }; });
    var shown = [];

    function current() {
      var chosen = select.options[select.selectedIndex];
      return chosen && chosen.value !== "" ? chosen.text : "";
    }
    function choose(option) {
      select.value = option.value;
      input.value = option.text;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      box.close();
    }
    function render() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      shown = options.filter(function (o) {
        return words.every(function (w) { return o.key.indexOf(w) !== -1; });
      });
      var more = shown.length > MAX_SHOWN ? "+" + (shown.length - MAX_SHOWN) : (shown.length ? "" : "—");
      box.show(shown.slice(0, MAX_SHOWN), function (o) { return o.text; }, choose, more);
    }

    input.value = current();
    input.addEventListener("input", render);
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (e) {
      box.keys(e, shown, Math.min(shown.length, MAX_SHOWN), render, choose, function () {
        input.value = current();
      });
    });
    input.addEventListener("blur", function () {
      if (input.value.trim() === "") {
        select.value = "";
      } else {
        input.value = current();
      }
      box.close();
    });
    select.hidden = true;
    select.setAttribute("tabindex", "-1");
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(select);
  }

  function enhanceRemote(input) {
    var hidden = input.nextElementSibling;
    if (!hidden || hidden.type !== "hidden") { return; }
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    input.classList.add("picker-input");
    var box = combobox(input);
    var list = box.list;
    var chosenText = hidden.value ? input.value : "";
    var shown = [];
    var asked = 0;
    var timer = null;

    function choose(option) {
      input.value = option.name;
      hidden.value = option.id;
      chosenText = option.name;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      box.close();
    }
    function show(data) {
      shown = data.results;
      var more = shown.length ? (data.total > shown.length ? "+" + (data.total - shown.length) : "") : "—";
      box.show(shown, function (o) { return o.name; }, choose, more);
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
      box.keys(e, shown, shown.length, lookUp, choose, null);
    });
    input.addEventListener("blur", function () {
      if (input.value.trim() === "") { hidden.value = ""; }
      box.close();
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
