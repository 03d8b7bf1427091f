// framelens report: embeds the figures, wires downloads, term search, concordance and evidence.
// Article text is only ever written with textContent, never as markup.
(function () {
  "use strict";
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const SPECS = read("framelens-specs");
  const DATASETS = read("framelens-datasets");
  const DATA = read("framelens-data");
  const views = {};
  window.framelens = { views: views, ready: null };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function perspective(key) {
    return DATA.perspectives.find((p) => p.key === key);
  }

  function articleLine(docId) {
    const span = el("span", { class: "source" });
    span.appendChild(el("code", {}, docId));
    const title = DATA.articles[docId];
    if (title) span.appendChild(el("span", { class: "title" }, " " + title));
    return span;
  }

  // ------------------------------------------------------------- concordance

  function showTerm(term) {
    const entry = DATA.kwic[String(term).toLowerCase()];
    const panel = document.getElementById("kwic");
    const status = document.getElementById("term-search-status");
    if (!entry) {
      status.textContent = "not among the terms on the map";
      return false;
    }
    status.textContent = "";
    panel.replaceChildren();
    panel.appendChild(el("h3", {}, "\u201c" + entry.term + "\u201d in context"));
    for (const p of DATA.perspectives) {
      const block = el("div", { class: "kwic-perspective", "data-perspective": p.id });
      const heading = el("h4", {}, p.label + " ");
      heading.style.borderColor = p.colour;
      heading.appendChild(el("span", { class: "hint" },
        entry.counts[p.key] + (entry.counts[p.key] === 1 ? " occurrence" : " occurrences")));
      block.appendChild(heading);
      const lines = entry.lines[p.key] || [];
      if (!lines.length) block.appendChild(el("p", { class: "hint" }, "not used"));
      const list = el("ol", { class: "kwic-lines" });
      for (const [docId, left, match, right] of lines) {
        const item = el("li", { class: "kwic-line" });
        item.appendChild(el("span", { class: "left" }, left + " "));
        item.appendChild(el("mark", {}, match));
        item.appendChild(el("span", { class: "right" }, " " + right));
        item.appendChild(articleLine(docId));
        list.appendChild(item);
      }
      if (lines.length) block.appendChild(list);
      panel.appendChild(block);
    }
    for (const name of ["term-map", "term-frequency"]) {
      if (views[name]) views[name].signal("focus", entry.term).runAsync();
    }
    return true;
  }

  function showEvidence(topic, focusLabel) {
    const panel = document.getElementById("topic-evidence");
    if (!panel) return;
    const byPerspective = DATA.evidence[topic] || {};
    panel.replaceChildren();
    panel.appendChild(el("h3", {}, "Evidence: " + topic));
    for (const p of DATA.perspectives) {
      const block = el("div", { class: "kwic-perspective" + (p.label === focusLabel ? " focus" : "") });
      const heading = el("h4", {}, p.label);
      heading.style.borderColor = p.colour;
      block.appendChild(heading);
      const sentences = byPerspective[p.key] || [];
      if (!sentences.length) block.appendChild(el("p", { class: "hint" }, "never names the topic"));
      const list = el("ol", { class: "evidence" });
      for (const [docId, text] of sentences) {
        const item = el("li", {}, text + " ");
        item.appendChild(articleLine(docId));
        list.appendChild(item);
      }
      if (sentences.length) block.appendChild(list);
      panel.appendChild(block);
    }
  }

  // ------------------------------------------------------------------ figures

  function download(name, format) {
    const view = views[name];
    if (!view) return;
    view.toImageURL(format, format === "png" ? 2 : 1).then((url) => {
      const link = el("a", { href: url, download: "framelens-" + name + "." + format });
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  function embed(name) {
    const target = document.getElementById("plot-" + name);
    if (!target) return Promise.resolve();
    const spec = Object.assign({}, SPECS[name]);
    spec.datasets = {};
    for (const key of spec.usermeta.datasets) spec.datasets[key] = DATASETS[key];
    return vegaEmbed(target, spec, { actions: false, renderer: "svg" }).then((result) => {
      views[name] = result.view;
      result.view.addEventListener("click", (event, item) => {
        const datum = item && item.datum;
        if (!datum) return;
        if (datum.term !== undefined) showTerm(datum.term);
        else if (name === "topics" && datum.topic !== undefined) {
          showEvidence(datum.topic, datum.perspective_label);
        }
      });
    });
  }

  document.querySelectorAll("[data-download]").forEach((button) => {
    const figure = button.closest("[data-figure]");
    button.addEventListener("click", () => download(figure.dataset.figure, button.dataset.download));
  });

  const list = document.getElementById("term-list");
  if (list) {
    for (const term of DATA.terms) list.appendChild(el("option", { value: term }));
  }
  const form = document.getElementById("term-search");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      showTerm(document.getElementById("term-query").value.trim());
    });
  }

  window.framelens.showTerm = showTerm;
  window.framelens.showEvidence = showEvidence;
  window.framelens.ready = Promise.all(Object.keys(SPECS).map(embed)).then(() => {
    document.body.dataset.ready = "true";
  });
})();
