// Cigale's only script. The page works without it (the server renders every answer);
// with it, the answer streams in as Server-Sent Events and feedback is sent in place.
(function () {
  "use strict";
  var form = document.querySelector("form.ask");
  var results = document.getElementById("results");
  if (!form || !results || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var lang = form.getAttribute("data-lang") || "fr";

  form.addEventListener("submit", function (event) {
    var q = form.elements.q.value.trim();
    if (!q) return;
    event.preventDefault();
    history.pushState({ q: q }, "", "/?q=" + encodeURIComponent(q));
    shownSearch = location.search;
    document.title = q + " — Cigale";
    ask(q);
  });
  // Back and forward between questions reload the page; a jump to #anchor (skip link, citation) does not.
  var shownSearch = location.search;
  window.addEventListener("popstate", function () {
    if (location.search !== shownSearch) location.reload();
  });

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function citeLink(n) {
    return element("a", { "class": "cite", href: "#source-" + n, "aria-label": "Source " + n }, "[" + n + "]");
  }

  function ask(q) {
    var section = element("section", { "class": "answer", "aria-labelledby": "answer-title" });
    var heading = element("h2", { id: "answer-title" }, results.getAttribute("data-answer-title") || "");
    var box = element("div", { id: "answer-text", "class": "answer-text", "aria-live": "polite", "aria-busy": "true" });
    var paragraph = element("p", {}, "");
    box.appendChild(paragraph);
    section.appendChild(heading);
    section.appendChild(box);
    results.replaceChildren(section);

    var params = new URLSearchParams({ q: q, hint: lang });
    var source = new EventSource("/api/ask/stream?" + params.toString());
    var list = null;  // a list answer: its frame goes in the paragraph, its items in a list
    source.addEventListener("delta", function (event) {
      var data = JSON.parse(event.data);
      var span = element("span", data.lang ? { lang: data.lang } : {}, data.text);
      var target = paragraph;
      if (data.frame) paragraph.classList.add("frame");
      if (data.item) {
        if (!list) { list = element("ul", { "class": "items" }); box.appendChild(list); }
        target = element("li", {});
        list.appendChild(target);
      }
      target.appendChild(span);
      if (data.citation) {
        target.appendChild(document.createTextNode(" "));
        target.appendChild(citeLink(data.citation));
      }
    });
    source.addEventListener("sources", function (event) {
      var data = JSON.parse(event.data);
      box.setAttribute("lang", data.lang || lang);
      if (data.abstained) box.classList.add("abstained");
      if (data.fallback) box.insertBefore(element("p", { "class": "note" }, results.getAttribute("data-fallback-note")), paragraph);
    });
    source.addEventListener("done", function (event) {
      source.close();
      var answer = JSON.parse(event.data);
      box.setAttribute("lang", answer.lang);
      box.setAttribute("aria-busy", "false");
      renderRest(q);
    });
    source.addEventListener("error", function (event) {
      source.close();
      box.setAttribute("aria-busy", "false");
      if (event.data) {
        paragraph.textContent = JSON.parse(event.data).message;
      } else {
        location.href = "/?q=" + encodeURIComponent(q);  // the stream failed: the server page still works
      }
    });
  }

  // Sources, map, related questions and feedback come from the server-rendered page, so that
  // they look and behave the same with JavaScript on and off; the streamed answer stays.
  function renderRest(q) {
    fetch("/?q=" + encodeURIComponent(q), { headers: { accept: "text/html", "x-cigale-rest": "1" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("results");
        if (!fresh) return;
        Array.prototype.slice.call(fresh.children).forEach(function (child) {
          if (!child.classList.contains("answer")) results.appendChild(document.adoptNode(child));
        });
      });
  }

  document.addEventListener("submit", function (event) {
    var feedback = event.target;
    if (!feedback.classList || !feedback.classList.contains("feedback-form")) return;
    event.preventDefault();
    var useful = event.submitter ? event.submitter.value === "1" : true;
    var body = {
      question: feedback.elements.question.value,
      useful: useful,
      comment: feedback.elements.comment.value || null,
      lang: feedback.elements.lang.value || null,
      cited: feedback.elements.cited.value ? feedback.elements.cited.value.split(",") : []
    };
    var status = feedback.querySelector(".status");
    fetch("/api/feedback", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (response) {
        status.textContent = response.ok ? feedback.getAttribute("data-thanks") : "Error " + response.status;
        if (response.ok) feedback.querySelectorAll("button, textarea").forEach(function (b) { b.disabled = true; });
      });
  });
})();
