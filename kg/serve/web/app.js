// The query page of `kg serve`: pick a saved query or write one, run it, read the results
// with IRIs shown as labels, open an entity's card, download CSV or JSON. No framework.
"use strict";

const state = { queries: [], lastRequest: null };
const $ = (id) => document.getElementById(id);

async function loadSavedQueries() {
  const response = await fetch("/api/queries");
  state.queries = await response.json();
  const select = $("saved");
  for (const query of state.queries) {
    const option = document.createElement("option");
    option.value = query.name;
    option.textContent = `${query.name} — ${query.summary}`;
    select.appendChild(option);
  }
}

function showSavedQuery(name) {
  const query = state.queries.find((q) => q.name === name);
  const form = $("parameters");
  form.replaceChildren();
  if (!query) {
    $("description").textContent = "";
    $("editor").value = document.getElementById("default-query").content.textContent;
    return;
  }
  $("description").textContent = query.description;
  $("editor").value = query.text;
  for (const parameter of query.parameters) {
    const label = document.createElement("label");
    label.textContent = `${parameter.name} (${parameter.type}${parameter.optional ? ", optional" : ""}) `;
    const input = document.createElement("input");
    input.name = parameter.name;
    input.value = query.defaults[parameter.name] || "";
    label.appendChild(input);
    form.appendChild(label);
  }
}

function currentRequest() {
  const name = $("saved").value;
  const query = state.queries.find((q) => q.name === name);
  if (query && $("editor").value === query.text) {
    const params = new URLSearchParams();
    for (const input of $("parameters").querySelectorAll("input")) {
      if (input.value !== "") params.append(input.name, input.value);
    }
    return { url: `/api/queries/${encodeURIComponent(name)}?${params}`, init: { method: "GET" }, name };
  }
  return {
    url: "/sparql",
    init: { method: "POST", headers: { "Content-Type": "application/sparql-query" }, body: $("editor").value },
    name: "query",
  };
}

async function fetchAs(request, accept) {
  const init = { ...request.init, headers: { ...(request.init.headers || {}), Accept: accept } };
  const response = await fetch(request.url, init);
  const body = await response.text();
  if (!response.ok) throw new Error(body.trim() || `HTTP ${response.status}`);
  return body;
}

async function run() {
  const status = $("status");
  status.className = "";
  status.textContent = "running…";
  const request = currentRequest();
  try {
    const started = performance.now();
    const answer = JSON.parse(await fetchAs(request, "application/sparql-results+json, application/ld+json;q=0.9"));
    state.lastRequest = request;
    await showResults(answer);
    showChart(state.queries.find((q) => q.name === request.name && request.url.startsWith("/api/queries/")));
    const rows = answer.results ? answer.results.bindings.length : 1;
    status.textContent = `${rows} row${rows === 1 ? "" : "s"} in ${Math.round(performance.now() - started)} ms`;
    $("download-csv").disabled = false;
    $("download-json").disabled = false;
  } catch (error) {
    clearResults();  // the table of an earlier query must not pass for this one's answer
    status.className = "error";
    status.textContent = String(error.message || error);
  }
}

function clearResults() {
  $("results").querySelector("thead").replaceChildren();
  $("results").querySelector("tbody").replaceChildren();
  showChart(null);
  state.lastRequest = null;
  $("download-csv").disabled = true;
  $("download-json").disabled = true;
}

// A saved query that declares a chart (`#+ chart: NAME`) gets it below its results: the same
// picture as `kg chart NAME`, rendered by the server from the served graph.
function showChart(query) {
  const figure = $("chart");
  const image = $("chart-image");
  if (!query || !query.chart) {
    figure.hidden = true;
    image.removeAttribute("src");
    return;
  }
  image.alt = `Chart: ${query.summary}`;
  image.src = `/api/charts/${encodeURIComponent(query.chart)}`;
  $("chart-link").href = image.src;  // on a phone the fitted chart is small: open it full size
  figure.hidden = false;
}

async function labelsFor(iris) {
  if (iris.length === 0) return {};
  const response = await fetch("/api/labels", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(iris),
  });
  return response.ok ? response.json() : {};
}

async function showResults(answer) {
  const head = $("results").querySelector("thead");
  const body = $("results").querySelector("tbody");
  head.replaceChildren();
  body.replaceChildren();
  if (answer.boolean !== undefined) {
    const row = body.insertRow();
    row.insertCell().textContent = String(answer.boolean);
    return;
  }
  if (!answer.head) {
    const row = body.insertRow();
    row.insertCell().textContent = JSON.stringify(answer, null, 2);
    return;
  }
  const variables = answer.head.vars;
  const headRow = head.insertRow();
  for (const variable of variables) {
    const th = document.createElement("th");
    th.textContent = variable;
    headRow.appendChild(th);
  }
  const iris = new Set();
  for (const binding of answer.results.bindings) {
    for (const value of Object.values(binding)) if (value.type === "uri") iris.add(value.value);
  }
  const labels = await labelsFor([...iris]);
  for (const binding of answer.results.bindings) {
    const row = body.insertRow();
    for (const variable of variables) {
      const cell = row.insertCell();
      cell.dataset.label = variable;
      const value = binding[variable];
      if (!value) continue;
      if (value.type !== "uri" && value.value.length > 60) cell.className = "long";
      if (value.type === "uri") {
        const link = document.createElement("a");
        link.href = `#entity=${encodeURIComponent(value.value)}`;
        link.textContent = labels[value.value] || value.value;
        link.title = value.value;
        cell.appendChild(link);
      } else {
        cell.textContent = value.value;
        if (value["xml:lang"]) cell.lang = value["xml:lang"];
      }
    }
  }
}

async function showCard(iri) {
  const card = $("card");
  const response = await fetch(`/api/describe?entity=${encodeURIComponent(iri)}`);
  card.hidden = false;
  document.querySelector("main").classList.add("with-card");
  if (!response.ok) {
    card.textContent = (await response.text()).trim();
    return;
  }
  const entity = await response.json();
  card.replaceChildren();
  const title = document.createElement("h2");
  title.textContent = entity.name;
  card.appendChild(title);
  const chinese = (entity.labels.zh || []).filter((l) => l !== entity.name);
  if (chinese.length) {
    const zh = document.createElement("div");
    zh.className = "zh";
    zh.lang = "zh";
    zh.textContent = chinese.join(", ");
    card.appendChild(zh);
  }
  const iriLine = document.createElement("div");
  iriLine.className = "iri";
  iriLine.textContent = entity.iri;
  card.appendChild(iriLine);
  if (entity.values && entity.values.length) {
    // A claim's literals: its quote, paragraph marker, as-of and start dates, shares...
    const list = document.createElement("dl");
    for (const v of entity.values) {
      const term = document.createElement("dt");
      term.textContent = v.property_label || v.property;
      const value = document.createElement("dd");
      value.textContent = v.property.endsWith("#quote") ? `\u201c${v.value}\u201d` : v.value;
      if (v.language) value.lang = v.language;
      list.append(term, value);
    }
    card.appendChild(list);
  }
  if (window.matchMedia("(max-width: 760px)").matches) card.scrollIntoView({ block: "start" });  // below the results on a phone
  const section = (heading, items) => {
    if (!items.length) return;
    const h = document.createElement("h3");
    h.textContent = heading;
    const list = document.createElement("ul");
    for (const item of items) list.appendChild(item);
    card.append(h, list);
  };
  const item = (text, iri) => {
    const li = document.createElement("li");
    if (iri) {
      const link = document.createElement("a");
      link.href = `#entity=${encodeURIComponent(iri)}`;
      link.textContent = text;
      li.appendChild(link);
    } else {
      li.textContent = text;
    }
    return li;
  };
  section("Types", entity.types.map((t) => item(t.other_label || t.other)));
  section("Wikidata", entity.wikidata.map((w) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = w;
    a.textContent = w;
    li.appendChild(a);
    return li;
  }));
  section("Relations", [
    ...entity.outgoing.map((r) => item(`${r.property_label || r.property} → ${r.other_label || r.other}`, r.other)),
    ...entity.incoming.map((r) => item(`${r.other_label || r.other} → ${r.property_label || r.property}`, r.other)),
  ]);
  section("Claims", entity.claims.map((c) => {
    const li = document.createElement("li");
    const markers = c.first_paragraph === c.last_paragraph ? `[${c.first_paragraph}]` : `[${c.first_paragraph}][${c.last_paragraph}]`;
    li.textContent = `${markers} ${c.kind}, ${c.modality}`;
    if (c.statement) li.title = `${c.claim} attests ${c.statement}`;
    const quote = document.createElement("blockquote");
    quote.textContent = c.quote;
    li.appendChild(quote);
    return li;
  }));
}

async function download(accept, extension) {
  if (!state.lastRequest) return;
  const body = await fetchAs(state.lastRequest, accept);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([body], { type: accept }));
  link.download = `${state.lastRequest.name}.${extension}`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

function onHashChange() {
  const match = location.hash.match(/^#entity=(.+)$/);
  if (match) showCard(decodeURIComponent(match[1]));
}

window.addEventListener("DOMContentLoaded", async () => {
  $("endpoint").textContent = new URL("/sparql", location.href).href;
  $("editor").value = document.getElementById("default-query").content.textContent;
  $("saved").addEventListener("change", (event) => showSavedQuery(event.target.value));
  $("run").addEventListener("click", run);
  $("download-csv").addEventListener("click", () => download("text/csv", "csv"));
  $("download-json").addEventListener("click", () => download("application/sparql-results+json", "json"));
  window.addEventListener("hashchange", onHashChange);
  await loadSavedQueries();
  document.body.dataset.ready = "true";
  onHashChange();
});
