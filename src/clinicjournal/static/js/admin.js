/* Small progressive enhancements for the admin; every page works without them. */
(function () {
  "use strict";

  // Forms with data-confirm ask before doing something hard to undo.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Warn before leaving the editor with unsaved changes.
  var editor = document.getElementById("editor");
  if (editor) {
    var dirty = false;
    editor.addEventListener("input", function () { dirty = true; });
    editor.addEventListener("editor:saved", function () { dirty = false; });  // autosaved (editor.js)
    editor.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || submitter.getAttribute("formtarget") !== "_blank") { dirty = false; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }
})();

/* Unknown citation keys: a link from each problem to its line in the body. */
(function () {
  "use strict";
  var body = document.getElementById("f-body");
  if (!body) { return; }
  var items = document.querySelectorAll(".citation-problems li[data-line], .link-problems li[data-line]");
  Array.prototype.forEach.call(items, function (item) {
    var line = parseInt(item.getAttribute("data-line"), 10);
    var link = document.createElement("a");
    link.href = "#f-body";
    link.className = "goto-line";
    link.textContent = item.closest("[data-goto-label]") ?
      item.closest("[data-goto-label]").getAttribute("data-goto-label") : "→";
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var lines = body.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
      var end = start + (lines[line - 1] || "").length;
      body.focus();
      body.setSelectionRange(start, end);
      var lineHeight = parseFloat(window.getComputedStyle(body).lineHeight) || 20;
      body.scrollTop = Math.max(0, (line - 3) * lineHeight);
    });
    item.appendChild(document.createTextNode(" "));
    item.appendChild(link);
  });
})();

/* Colour pickers: the chosen code beside each, and for the main colour the
   contrast white text has on it (WCAG 2), as the server computes it on save. */
(function () {
  "use strict";
  function channel(hex) {
    var c = parseInt(hex, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  function luminance(colour) {
    return 0.2126 * channel(colour.substr(1, 2)) + 0.7152 * channel(colour.substr(3, 2)) +
      0.0722 * channel(colour.substr(5, 2));
  }
  var pickers = document.querySelectorAll("input[type=color]");
  Array.prototype.forEach.call(pickers, function (input) {
    var code = document.querySelector('[data-colour-code="' + input.id + '"]');
    var note = input.getAttribute("data-contrast") ? document.getElementById(input.getAttribute("data-contrast")) : null;
    input.addEventListener("input", function () {
      if (code) { code.textContent = input.value; }
      if (!note || !/^#[0-9a-fA-F]{6}$/.test(input.value)) { return; }
      var ratio = 1.05 / (luminance(input.value) + 0.05);
      var low = ratio < parseFloat(note.getAttribute("data-min"));
      var shown = (Math.floor(ratio * 10) / 10).toFixed(1).replace(".", note.getAttribute("data-decimal") || ".");
      note.textContent = note.getAttribute(low ? "data-low" : "data-ok").replace("%(ratio)s", shown);
      note.classList.toggle("hint--warn", low);
    });
  });
})();

/* The media library's focal point: a click on the picture fills the two number
   fields (which work on their own without JavaScript) and moves the mark; on the
   upload form the chosen file is shown first (read as a data: URL, which the
   admin's Content-Security-Policy allows for images). */
(function () {
  "use strict";
  var box = document.querySelector("[data-focal]");
  if (!box) { return; }
  var image = box.querySelector("[data-focal-image]");
  if (!image) {  // the upload form: the picture appears when a file is chosen
    image = document.createElement("img");
    image.className = "focal__image";
    image.setAttribute("data-focal-image", "");
    image.alt = box.getAttribute("data-alt") || "";
    image.hidden = true;
    box.insertBefore(image, box.firstChild);
  }
  var mark = box.querySelector("[data-focal-mark]");
  var fx = document.getElementById("f-focal_x");
  var fy = document.getElementById("f-focal_y");
  function place() {
    var x = parseFloat(fx.value), y = parseFloat(fy.value);
    if (isNaN(x) || isNaN(y) || image.hidden) { mark.hidden = true; return; }
    mark.hidden = false;
    mark.style.left = (x * 100) + "%";
    mark.style.top = (y * 100) + "%";
  }
  image.addEventListener("click", function (event) {
    var rect = image.getBoundingClientRect();
    var x = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    var y = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height));
    fx.value = x.toFixed(2);
    fy.value = y.toFixed(2);
    place();
  });
  fx.addEventListener("input", place);
  fy.addEventListener("input", place);
  var file = document.querySelector("[data-focal-file]");
  if (file) {
    file.addEventListener("change", function () {
      var chosen = file.files && file.files[0];
      if (!chosen) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        image.src = reader.result;
        image.hidden = false;
        place();
      };
      reader.readAsDataURL(chosen);
    });
  }
  place();
})();
