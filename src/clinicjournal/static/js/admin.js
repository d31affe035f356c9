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
