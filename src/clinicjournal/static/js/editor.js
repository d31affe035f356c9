/* The article editor while someone types: FAQ and reference rows added, removed
   and reordered; the [@key] of each reference; a slug proposed from the title;
   word count and reading time; the readability figure, live preview and
   autosave (all three computed by the server). The form works without this
   script: the server renders the rows, proposes a slug and checks everything. */
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || !form.hasAttribute("data-live")) { return; }

  function debounce(fn, wait) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
  }
  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-Requested-With": "fetch" } });
  }
  function token() { var t = form.querySelector("input[name=csrf_token]"); return t ? t.value : ""; }
  function changed() { form.dispatchEvent(new Event("input", { bubbles: true })); }
  var uiLang = document.documentElement.lang || "en";

  /* -- word count and reading time: the server's formula (content/render.py) -- */
  // Python's \w+ on the Markdown body, and round() there rounds halves to even.
  function countWords(text) { var m = text.match(/[\p{L}\p{N}_]+/gu); return m ? m.length : 0; }
  function roundHalfEven(x) {
    var f = Math.floor(x), d = x - f;
    if (d > 0.5) { return f + 1; }
    if (d < 0.5) { return f; }
    return f % 2 === 0 ? f : f + 1;
  }
  function readingMinutes(words, perMinute) { return Math.max(1, roundHalfEven(words / perMinute + 0.49)); }
  window.clinicjournalEditor = { countWords: countWords, readingMinutes: readingMinutes };

  var body = document.getElementById("f-body");
  var stats = document.getElementById("editor-stats");
  var locale = document.getElementById("f-locale");
  function showWords() {
    if (!body || !stats) { return; }
    var words = countWords(body.value);
    var minutes = readingMinutes(words, parseInt(stats.getAttribute("data-wpm"), 10));
    var number = new Intl.NumberFormat(uiLang);
    var line = stats.querySelector("[data-stats-words]");
    line.textContent = stats.getAttribute("data-words-label")
      .replace("%(words)s", number.format(words)).replace("%(minutes)s", number.format(minutes));
    line.hidden = false;
  }
  var readabilityLine = stats && stats.querySelector("[data-stats-readability]");
  var showReadability = debounce(function () {
    if (!body || !readabilityLine) { return; }
    var data = new FormData();
    data.append("csrf_token", token());
    data.append("body", body.value);
    data.append("locale", locale ? locale.value : "");
    post(form.getAttribute("data-stats-url"), data).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) {
        if (!result) { return; }
        readabilityLine.textContent = result.readability;
        readabilityLine.className = "editor-stats__readability readability--" + result.level;
        readabilityLine.hidden = false;
      }).catch(function () {});
  }, 800);
  if (body) {
    body.addEventListener("input", function () { showWords(); showReadability(); });
    showWords(); showReadability();
  }
  if (locale) { locale.addEventListener("change", showReadability); }

  /* -- rows: FAQ items and references -- */
  function rowName(container, n) { return container.getAttribute("data-legend").replace("{n}", n); }
  function renumber(container) {
    var rows = container.querySelectorAll(":scope > [data-row]");
    Array.prototype.forEach.call(rows, function (row, i) {
      var n = i + 1, name = rowName(container, n);
      row.querySelector("legend").textContent = name;
      Array.prototype.forEach.call(row.querySelectorAll("[data-row-name]"), function (s) { s.textContent = " (" + name + ")"; });
      Array.prototype.forEach.call(row.querySelectorAll("[id]"), function (el) { el.id = el.id.replace(/-\d+(-error)?$/, "-" + n + "$1"); });
      Array.prototype.forEach.call(row.querySelectorAll("label[for]"), function (el) { el.htmlFor = el.htmlFor.replace(/-\d+$/, "-" + n); });
      Array.prototype.forEach.call(row.querySelectorAll("[aria-describedby]"), function (el) {
        el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").replace(/-\d+-error/, "-" + n + "-error"));
      });
      var up = row.querySelector("[data-move='-1']"), down = row.querySelector("[data-move='1']");
      if (up) { up.disabled = n === 1; }
      if (down) { down.disabled = n === rows.length; }
    });
  }
  function clearRow(row) {
    Array.prototype.forEach.call(row.querySelectorAll("input, textarea"), function (el) {
      el.value = ""; el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
    });
    Array.prototype.forEach.call(row.querySelectorAll(".field-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(row.querySelectorAll(".field--error"), function (el) { el.classList.remove("field--error"); });
    var cite = row.querySelector("[data-cite]");
    if (cite) { cite.textContent = ""; }
  }
  function showTools(row) {
    var tools = row.querySelector("[data-row-tools]");
    if (tools) { tools.hidden = false; }
    var copy = row.querySelector("[data-copy]");
    if (copy) { copy.hidden = false; }
  }
  Array.prototype.forEach.call(form.querySelectorAll("[data-rows]"), function (container) {
    Array.prototype.forEach.call(container.querySelectorAll("[data-row]"), showTools);
    var add = form.querySelector("[data-add-row='" + container.getAttribute("data-rows") + "']");
    if (add) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var rows = container.querySelectorAll(":scope > [data-row]");
        var row = rows[rows.length - 1].cloneNode(true);
        clearRow(row);
        container.appendChild(row);
        renumber(container);
        row.querySelector("input, textarea").focus();
        changed();
      });
    }
    container.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !container.contains(button)) { return; }
      var row = button.closest("[data-row]");
      if (button.hasAttribute("data-move")) {
        var other = button.getAttribute("data-move") === "-1" ? row.previousElementSibling : row.nextElementSibling;
        if (!other) { return; }
        if (button.getAttribute("data-move") === "-1") { container.insertBefore(row, other); } else { container.insertBefore(other, row); }
        renumber(container);
        (button.disabled ? row.querySelector("[data-move]:not([disabled])") || button : button).focus();
        changed();
      } else if (button.hasAttribute("data-remove")) {
        var next = row.nextElementSibling || row.previousElementSibling;
        if (container.querySelectorAll(":scope > [data-row]").length === 1) { clearRow(row); next = row; } else { row.remove(); }
        renumber(container);
        (next ? next.querySelector("input, textarea") : add).focus();
        changed();
      } else if (button.hasAttribute("data-copy")) {
        var code = row.querySelector("[data-cite]").textContent;
        var done = function () {
          var label = button.firstChild.nodeValue;
          button.firstChild.nodeValue = button.getAttribute("data-copied");
          setTimeout(function () { button.firstChild.nodeValue = label; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(code).then(done, function () {});
        } else {
          var scratch = document.createElement("textarea");
          scratch.value = code; scratch.setAttribute("readonly", ""); scratch.style.position = "fixed"; scratch.style.opacity = "0";
          document.body.appendChild(scratch); scratch.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* the code stays visible to copy by hand */ }
          scratch.remove();
        }
      }
    });
    container.addEventListener("input", function (event) {
      if (event.target.hasAttribute("data-ref-key")) {
        var key = event.target.value.trim();
        event.target.closest("[data-row]").querySelector("[data-cite]").textContent = key ? "[@" + key + "]" : "";
      }
    });
    renumber(container);
  });
  Array.prototype.forEach.call(form.querySelectorAll("[data-nojs]"), function (el) { el.hidden = true; });

  /* -- references: rows or YAML -- */
  var refs = form.querySelector("[data-references]");
  if (refs) {
    var rowsBox = refs.querySelector("[data-ref-section=rows]"), yamlBox = refs.querySelector("[data-ref-section=yaml]");
    var yaml = document.getElementById("f-references"), refRows = refs.querySelector("[data-rows=ref]");
    var fields = ["key", "title", "authors", "container", "kind", "year", "doi", "pmid", "pmcid", "url"];
    var show = function (mode) { rowsBox.hidden = mode !== "rows"; yamlBox.hidden = mode !== "yaml"; yamlBox.classList.remove("ref-yaml--inactive"); };
    var toYaml = function () {
      var out = [];
      Array.prototype.forEach.call(refRows.querySelectorAll(":scope > [data-row]"), function (row) {
        var lines = [];
        fields.forEach(function (name) {
          var input = row.querySelector("[name=ref_" + name + "]"), value = input ? input.value.trim() : "";
          if (!value) { return; }
          if (name === "authors") {
            value = "[" + value.split(";").map(function (a) { return a.trim(); }).filter(Boolean).map(function (a) { return JSON.stringify(a); }).join(", ") + "]";
          } else if (!(name === "year" && /^\d+$/.test(value))) { value = JSON.stringify(value); }
          lines.push((lines.length ? "  " : "- ") + name + ": " + value);
        });
        if (lines.length) { out.push(lines.join("\n")); }
      });
      return out.length ? out.join("\n") + "\n" : "";
    };
    var fromRows = function (rows) {
      var template = refRows.querySelector(":scope > [data-row]").cloneNode(true);
      Array.prototype.forEach.call(refRows.querySelectorAll(":scope > [data-row]"), function (row) { row.remove(); });
      rows.concat([{}]).forEach(function (values) {
        var row = template.cloneNode(true);
        clearRow(row);
        fields.forEach(function (name) {
          var input = row.querySelector("[name=ref_" + name + "]");
          if (input) { input.value = values[name] || ""; }
        });
        row.querySelector("[data-cite]").textContent = values.key ? "[@" + values.key + "]" : "";
        refRows.appendChild(row);
      });
      renumber(refRows);
    };
    Array.prototype.forEach.call(refs.querySelectorAll("input[name=references_mode]"), function (radio) {
      if (radio.checked) { show(radio.value); }
      radio.addEventListener("change", function () {
        if (radio.value === "yaml") { yaml.value = toYaml(); show("yaml"); changed(); return; }
        var data = new FormData();
        data.append("csrf_token", token());
        data.append("references", yaml.value);
        post(form.getAttribute("data-rows-url"), data).then(function (r) { return r.json(); }).then(function (result) {
          if (result.rows) { fromRows(result.rows); show("rows"); changed(); return; }
          refs.querySelector("input[name=references_mode][value=yaml]").checked = true;
          window.alert(result.error);
        }).catch(function () { refs.querySelector("input[name=references_mode][value=yaml]").checked = true; });
      });
    });
  }

  /* -- slug proposed from the title, until the slug is edited by hand -- */
  var slug = document.getElementById("f-slug"), title = document.getElementById("f-title");
  if (slug && title && slug.hasAttribute("data-propose")) {
    slug.addEventListener("input", function () { slug.removeAttribute("data-propose"); });
    var propose = debounce(function () {
      if (!slug.hasAttribute("data-propose")) { return; }
      var url = form.getAttribute("data-slug-url") + "?title=" + encodeURIComponent(title.value) +
        "&locale=" + encodeURIComponent(locale ? locale.value : "");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (result) {
        if (result && slug.hasAttribute("data-propose")) { slug.value = result.slug; }
      }).catch(function () {});
    }, 250);
    title.addEventListener("input", propose);
    if (locale) { locale.addEventListener("change", propose); }
  }

  /* -- live preview: the reader's page for the unsaved text, by the server's renderer -- */
  var preview = document.getElementById("live-preview");
  var frame = preview && preview.querySelector("[data-preview-frame]");
  if (frame) {
    preview.hidden = false;
    form.querySelector("[data-body-split]").classList.add("body-split--preview");
    var scrollY = null;
    frame.addEventListener("load", function () {
      try {
        var doc = frame.contentDocument, main = doc.querySelector("main h1") || doc.querySelector("main");
        // the first time, start at the article (the site's header is the same on every page)
        if (scrollY === null && main) { main.scrollIntoView(); } else { frame.contentWindow.scrollTo(0, scrollY || 0); }
      } catch (e) { /* a frame without access keeps its top */ }
    });
    var render = debounce(function () {
      try { if (frame.srcdoc) { scrollY = frame.contentWindow.scrollY || 0; } } catch (e) { scrollY = 0; }
      post(form.getAttribute("data-preview-url"), new FormData(form)).then(function (r) {
        return r.text().then(function (html) { frame.srcdoc = html; preview.classList.toggle("live-preview--stale", !r.ok || r.headers.has("X-Preview-Problems")); });
      }).catch(function () {});
    }, 1000);
    form.addEventListener("input", render);
    form.addEventListener("change", render);
    render();
  }

  /* -- autosave every few seconds while typing; a newer version stops it -- */
  var autosaveUrl = form.getAttribute("data-autosave-url");
  if (autosaveUrl) {
    var pending = false, inflight = null, stopped = false;
    var status = form.querySelector("[data-autosave-status]");
    var alertBox = document.querySelector("[data-autosave-conflict]");
    var version = form.querySelector("input[name=version]");
    form.addEventListener("input", function () { pending = true; });
    var save = function () {
      if (!pending || inflight || stopped) { return; }
      pending = false;
      inflight = post(autosaveUrl, new FormData(form)).then(function (r) {
        return r.json().then(function (result) {
          if (r.status === 409) {
            stopped = true;
            alertBox.textContent = result.conflict;
            alertBox.hidden = false;
            if (status) { status.textContent = ""; }
          } else if (r.ok) {
            version.value = result.version;
            if (status) { status.textContent = result.saved; }
            if (!pending) { form.dispatchEvent(new CustomEvent("editor:saved")); }
          } else if (status && result.problems) {
            status.textContent = result.problems.join(" ");
          }
        });
      }).catch(function () { pending = true; }).then(function () { inflight = null; });
    };
    setInterval(save, 5000);
    // A save clicked while an autosave is on its way waits for it, so the form
    // posts the version the autosave left (else its own autosave would refuse it).
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.getAttribute("formtarget") === "_blank") { return; }
      if (!inflight) { stopped = true; return; }
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () { if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); } });
    });
  }
})();
