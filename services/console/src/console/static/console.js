/* retail-sync operations console: vanilla JS, no dependencies, charts as inline SVG. */
"use strict";

const KEY_STORAGE = "retail-sync.console.api-key";
const PROMOTIONS_STORAGE = "retail-sync.console.promotion-ids";
const SVG = "http://www.w3.org/2000/svg";
const COLORS = { ok: "#12805c", sent: "#2c6fbb", pending: "#a3acbd", bad: "#c4302b", warn: "#d98324", accent: "#3d5afe" };

/* ---------- DOM helpers ---------- */

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  appendAll(node, children);
  return node;
}

function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttributes(node, attrs);
  appendAll(node, children);
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

function appendAll(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function $(selector) { return document.querySelector(selector); }

function panelBody(name) { return document.querySelector(`[data-panel="${name}"] [data-body]`); }

function replace(node, ...children) { node.replaceChildren(); appendAll(node, children); }

/* ---------- formatting ---------- */

function fractionDigits(currency) {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  } catch (_) {
    return 2;
  }
}

function money(minor, currency) {
  if (minor === null || minor === undefined) return "—";
  if (!currency) return String(minor);
  const digits = fractionDigits(currency);
  const value = Number(minor) / 10 ** digits;
  return `${value.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${currency}`;
}

function percent(rate) { return `${(rate * 100).toFixed(1)}%`; }

function seconds(value) {
  if (value === null || value === undefined) return "—";
  if (value < 1) return `${Math.round(value * 1000)} ms`;
  if (value < 120) return `${value.toFixed(1)} s`;
  if (value < 7200) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

function when(text) {
  if (!text) return "—";
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function count(n) { return Number(n || 0).toLocaleString("en"); }

const STATUS_TONE = {
  acknowledged: "ok", resolved: "ok", ready: "ok", ok: "ok",
  sent: "info", assigned: "info", proposed: "warn", pending: "", open: "bad", failed: "bad",
};

function badge(text, tone) { return h("span", { class: `badge ${tone ?? STATUS_TONE[text] ?? ""}` }, text); }

/* ---------- API ---------- */

function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ""; }

async function api(path, options = {}) {
  const headers = { "X-API-Key": apiKey(), Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method: options.method || "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    return { ok: false, status: 0, problem: { title: "Console unreachable", detail: String(error) } };
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch (_) { data = { detail: text }; }
  }
  if (!response.ok) return { ok: false, status: response.status, problem: data || { title: response.statusText } };
  return { ok: true, status: response.status, data };
}

function problemView(result) {
  const problem = result.problem || {};
  const detail = problem.detail || problem.title || `HTTP ${result.status}`;
  const service = problem.service ? ` (${problem.service.replace("_", " ")})` : "";
  if (result.status === 501) {
    return h("div", { class: "notice unavailable", "data-testid": "not-available" },
      h("strong", {}, "Not available"), ` — ${detail}${service}`);
  }
  const title = result.status === 403 ? "Not allowed" : result.status === 401 ? "Key not accepted"
    : result.status === 502 ? "Service unreachable" : problem.title || "Request failed";
  return h("div", { class: "alert", role: "alert", "data-testid": "problem" },
    h("strong", {}, `${title}${service}`), detail);
}

function toast(text) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 3500);
}

/* ---------- charts (inline SVG) ---------- */

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** Horizontal bars, one row each: {label, parts: [{value, color, name}], note}. */
function barRows(rows, { width = 560, labelWidth = 120, noteWidth = 110, max } = {}) {
  const rowHeight = 26;
  const height = rows.length * rowHeight + 22;
  const plot = width - labelWidth - noteWidth;
  const top = max ?? Math.max(4, niceMax(Math.max(0, ...rows.map((r) => r.parts.reduce((a, p) => a + p.value, 0)))));
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img" });
  for (let i = 0; i <= 4; i++) {
    const x = labelWidth + (plot * i) / 4;
    svg.append(s("line", { class: "grid", x1: x, x2: x, y1: 0, y2: height - 18 }));
    svg.append(s("text", { x, y: height - 4, "text-anchor": "middle" }, formatTick(top * i / 4, top)));
  }
  rows.forEach((row, index) => {
    const y = index * rowHeight + 4;
    svg.append(s("text", { x: labelWidth - 8, y: y + 13, "text-anchor": "end" }, row.label));
    let x = labelWidth;
    for (const part of row.parts) {
      const w = top ? (plot * part.value) / top : 0;
      if (w > 0) {
        svg.append(s("rect", { x, y, width: Math.max(w, 1.5), height: rowHeight - 10, rx: 3, fill: part.color },
          s("title", {}, `${row.label} · ${part.name}: ${part.label ?? part.value}`)));
      }
      x += w;
    }
    if (row.note) svg.append(s("text", { x: width - noteWidth + 8, y: y + 13 }, row.note));
  });
  return svg;
}

function formatTick(value, top) {
  if (top <= 1) return `${Math.round(value * 100)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Vertical columns with labels underneath: [{label, value}]. */
function columns(bars, { width = 560, height = 170, color = COLORS.accent } = {}) {
  const bottom = 34;
  const left = 34;
  const plot = height - bottom - 8;
  const top = Math.max(4, niceMax(Math.max(0, ...bars.map((b) => b.value))));
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img" });
  for (let i = 0; i <= 4; i++) {
    const y = 8 + plot - (plot * i) / 4;
    svg.append(s("line", { class: "grid", x1: left, x2: width, y1: y, y2: y }));
    svg.append(s("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, Math.round((top * i) / 4)));
  }
  const slot = (width - left) / Math.max(bars.length, 1);
  bars.forEach((bar, index) => {
    const barHeight = top ? (plot * bar.value) / top : 0;
    const x = left + index * slot + slot * 0.15;
    svg.append(s("rect", { x, y: 8 + plot - barHeight, width: slot * 0.7, height: barHeight, rx: 2, fill: color },
      s("title", {}, `${bar.label}: ${bar.value}`)));
    svg.append(s("text", { x: x + slot * 0.35, y: height - 18, "text-anchor": "middle" }, bar.label));
  });
  svg.append(s("line", { class: "axis", x1: left, x2: width, y1: 8 + plot, y2: 8 + plot }));
  return svg;
}

function legend(items) {
  return h("div", { class: "legend" }, items.map(([name, color]) => h("span", { style: `--swatch:${color}` }, name)));
}

function kpi(label, value, tone, testid) {
  return h("div", { class: `kpi ${tone || ""}`, "data-testid": testid },
    h("div", { class: "label" }, label), h("div", { class: "value" }, value));
}

function table(headers, rows, attrs = {}) {
  return h("div", { class: "table-wrap" }, h("table", attrs,
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", { class: /^#|amount|count|lag|rate|units|lines|age|remaining|open|timing/i.test(name) ? "num" : "" }, name.replace(/^#/, ""))))),
    h("tbody", {}, rows)));
}

/* ---------- session ---------- */

async function loadSession() {
  const result = await api("/api/session");
  const bar = $("#service-status");
  if (!result.ok) { replace(bar, problemView(result)); return null; }
  const access = result.data;
  const tone = { ok: "ok", "no access": "warn", "unknown key": "bad", unreachable: "bad", "not available": "", error: "bad" };
  replace(bar, Object.entries(access.services).map(([service, state]) =>
    h("span", { class: "chip", title: state, "data-testid": `service-${service}` },
      h("span", { class: `dot ${tone[state] ?? ""}` }), `${service.replace("_", " ")}: ${state}`)));
  $("#key-chip").textContent = access.key_id ? `rs_${access.key_id}` : "key";
  replace($("#roles"),
    access.approver ? badge("approver", "ok") : badge("read-only", "info"),
    access.operator ? [" ", badge("DLQ operator", "ok")] : null);
  return access;
}

/* ---------- promotion deployments ---------- */

function promotionIds() {
  return $("#promotion-ids").value.split(/[\s,]+/).map((id) => id.trim()).filter(Boolean);
}

async function loadDeployments() {
  const body = panelBody("deployments");
  const ids = promotionIds();
  sessionStorage.setItem(PROMOTIONS_STORAGE, ids.join(", "));
  const query = new URLSearchParams(ids.map((id) => ["promotion_id", id]));
  const result = await api(`/api/promotions/deployments?${query}`);
  if (!result.ok) { replace(body, problemView(result)); return; }
  const panel = result.data;
  const rows = panel.deployments;
  const total = rows.length;
  const tally = (status) => rows.filter((r) => r.status === status).length;
  const content = [];
  content.push(h("div", { class: "kpis" },
    kpi("Deployments", count(total), "", "kpi-deployments"),
    kpi("Acknowledged", count(tally("acknowledged")), "ok", "kpi-acknowledged"),
    kpi("In flight", count(tally("pending") + tally("sent")), "", "kpi-in-flight"),
    kpi("Failed", count(tally("failed")), tally("failed") ? "bad" : "", "kpi-failed"),
    kpi("Late", count(panel.late), panel.late ? "bad" : "ok", "kpi-late")));
  for (const problem of panel.problems) {
    content.push(h("div", { class: "alert" }, h("strong", {}, `Promotion ${problem.promotion_id}`), problem.detail));
  }
  if (!ids.length) {
    content.push(h("p", { class: "notice" }, "Enter promotion ids above to see their deployments per channel, region and target."));
  }
  if (panel.by_channel_region.length) {
    const channels = new Map();
    for (const row of panel.by_channel_region) {
      const sum = channels.get(row.channel_id) || { acknowledged: 0, sent: 0, pending: 0, failed: 0, late: 0 };
      for (const key of Object.keys(sum)) sum[key] += row[key];
      channels.set(row.channel_id, sum);
    }
    content.push(legend([["acknowledged", COLORS.ok], ["sent", COLORS.sent], ["pending", COLORS.pending], ["failed", COLORS.bad]]));
    content.push(barRows([...channels.entries()].map(([channel, sum]) => ({
      label: channel,
      parts: [
        { name: "acknowledged", value: sum.acknowledged, color: COLORS.ok },
        { name: "sent", value: sum.sent, color: COLORS.sent },
        { name: "pending", value: sum.pending, color: COLORS.pending },
        { name: "failed", value: sum.failed, color: COLORS.bad },
      ],
      note: sum.late ? `${sum.late} late` : "on time",
    })), { width: 900, labelWidth: 140 }));
    content.push(h("h3", {}, "By channel and region"));
    content.push(table(["Channel", "Region", "#Total", "#Acknowledged", "#Sent", "#Pending", "#Failed", "#Late"],
      panel.by_channel_region.map((r) => h("tr", { class: r.late ? "late" : "", "data-testid": `tally-${r.channel_id}-${r.region}` },
        h("td", {}, r.channel_id), h("td", {}, r.region), h("td", { class: "num" }, r.total),
        h("td", { class: "num" }, r.acknowledged), h("td", { class: "num" }, r.sent), h("td", { class: "num" }, r.pending),
        h("td", { class: "num" }, r.failed), h("td", { class: "num" }, r.late ? badge(String(r.late), "bad") : "0")))));
    content.push(h("h3", {}, "Deployments"));
    content.push(table(["Promotion", "Version", "Action", "Channel", "Region", "Target", "Status", "Starts", "Updated", ""],
      rows.map((r) => h("tr", { class: r.late ? "late" : "", "data-testid": "deployment-row", dataset: { late: r.late } },
        h("td", { class: "mono" }, r.promotion_id), h("td", {}, `v${r.version}`), h("td", {}, r.action),
        h("td", {}, r.channel_id), h("td", {}, r.region || "—"), h("td", {}, r.target), h("td", {}, badge(r.status)),
        h("td", {}, when(r.starts_at)), h("td", {}, when(r.updated_at)),
        h("td", {}, r.late ? badge("LATE", "bad") : null, r.reason ? h("div", { class: "muted" }, r.reason) : null)))));
  }
  if (panel.since_start_by_channel && panel.since_start_by_channel.length) {
    content.push(h("h3", {}, "All promotions since the promotion service started"));
    content.push(table(["Channel", "#Acknowledged", "#Failed", "#Late"], panel.since_start_by_channel.map((r) =>
      h("tr", {}, h("td", {}, r.channel_id), h("td", { class: "num" }, r.acknowledged), h("td", { class: "num" }, r.failed),
        h("td", { class: "num" }, r.late)))));
  }
  replace(body, content);
}

/* ---------- inventory drift ---------- */

async function loadDrift() {
  const body = panelBody("drift");
  const result = await api("/api/inventory/drift");
  if (!result.ok) { replace(body, problemView(result)); return; }
  const drift = result.data;
  const content = [h("div", { class: "kpis" },
    kpi("Drift rate", percent(drift.rate), drift.rate > 0.05 ? "bad" : drift.rate > 0 ? "warn" : "ok", "kpi-drift-rate"),
    kpi("Lines counted", count(drift.lines), "", "kpi-drift-lines"),
    kpi("Lines with drift", count(drift.lines_with_drift), "", "kpi-drift-with"),
    kpi("Units off", count(drift.units), "", "kpi-drift-units"))];
  if (!drift.nodes.length) {
    content.push(h("p", { class: "notice" }, "No snapshots balanced in the last 24 hours."));
  } else {
    content.push(barRows(drift.nodes.map((n) => ({
      label: n.node,
      parts: [{ name: "drift rate", value: n.rate, label: percent(n.rate), color: n.rate > 0.05 ? COLORS.bad : COLORS.warn }],
      note: `${percent(n.rate)} · ${n.units} units`,
    })), { max: niceMax(Math.max(...drift.nodes.map((n) => n.rate), 0.01)) }));
    content.push(table(["Node", "#Lines", "#With drift", "#Rate", "#Units", "Value"], drift.nodes.map((n) =>
      h("tr", { "data-testid": `drift-${n.node}` }, h("td", {}, n.node), h("td", { class: "num" }, n.lines),
        h("td", { class: "num" }, n.lines_with_drift), h("td", { class: "num" }, percent(n.rate)),
        h("td", { class: "num" }, n.units), h("td", {}, n.value ? money(n.value.amount_minor, n.value.currency) : "—")))));
  }
  replace(body, content);
}

/* ---------- latency ---------- */

function bucketLabel(upper) {
  if (upper === null) return "more";
  return `≤${seconds(upper).replace(" ", "")}`;
}

async function loadLatency() {
  const body = panelBody("latency");
  const result = await api("/api/ledger/latency");
  if (!result.ok) { replace(body, problemView(result)); return; }
  const channels = result.data.channels;
  if (!channels.length) { replace(body, h("p", { class: "notice" }, "Nothing posted since the ledger started.")); return; }
  const content = [];
  for (const channel of channels) {
    content.push(h("h3", {}, `Received via ${channel.received_via}`));
    content.push(h("div", { class: "kpis", "data-testid": `latency-${channel.received_via}` },
      kpi("Postings", count(channel.count), "", "kpi-postings"),
      kpi("Median", seconds(channel.p50_s)), kpi("p95", seconds(channel.p95_s)), kpi("p99", seconds(channel.p99_s))));
    const used = channel.buckets.filter((b, i) => b.count > 0 || channel.buckets.slice(i).some((x) => x.count > 0));
    const first = Math.max(0, used.findIndex((b) => b.count > 0) - 1);
    content.push(columns(used.slice(first).map((b) => ({ label: bucketLabel(b.upper_bound_s), value: b.count }))));
  }
  replace(body, content);
}

/* ---------- close readiness ---------- */

async function loadReadiness() {
  const body = panelBody("readiness");
  const period = $("#readiness-period").value.trim();
  const result = await api(`/api/recon/close-readiness${period ? `?period_id=${encodeURIComponent(period)}` : ""}`);
  if (!result.ok) { replace(body, problemView(result)); return; }
  const panel = result.data;
  if (!period) $("#readiness-period").value = panel.period_id;
  if (!panel.entities.length) { replace(body, h("p", { class: "notice" }, "No legal entities in master data.")); return; }
  const ready = panel.entities.filter((e) => e.ready === true).length;
  const content = [h("div", { class: "kpis" },
    kpi("Period", panel.period_id), kpi("Ready to close", `${ready} / ${panel.entities.length}`, ready === panel.entities.length ? "ok" : "warn", "kpi-ready"),
    kpi("Open exceptions", count(panel.entities.reduce((a, e) => a + e.open_exceptions, 0)), "", "kpi-open-exceptions"),
    kpi("Timing differences", count(panel.entities.reduce((a, e) => a + e.timing_differences, 0)), "", "kpi-timing"))];
  content.push(table(["Legal entity", "Status", "#Remaining", "#Open exceptions", "#Timing", "Unreconciled", "Cut-off"],
    panel.entities.map((e) => h("tr", { "data-testid": `readiness-${e.legal_entity_id}` },
      h("td", {}, h("strong", {}, e.legal_entity_id), e.name ? h("div", { class: "muted" }, e.name) : null),
      h("td", {}, e.ready === null ? badge("unreadable", "warn") : e.ready ? badge("ready", "ok") : badge("not ready", "bad"),
        e.problem ? h("div", { class: "muted" }, e.problem) : null),
      h("td", { class: "num" }, e.remaining), h("td", { class: "num" }, e.open_exceptions), h("td", { class: "num" }, e.timing_differences),
      h("td", { "data-testid": "unreconciled" }, e.unreconciled.length ? e.unreconciled.map((u) => h("div", {}, `${money(u.amount_minor, u.currency)} (${u.count})`)) : "—"),
      h("td", {}, e.cutoff_at ? [when(e.cutoff_at), " ", e.cutoff_passed ? badge("passed", "ok") : badge("open", "")] : "—")))));
  replace(body, content);
}

/* ---------- exceptions ---------- */

let selectedException = null;

async function loadExceptions() {
  const body = panelBody("exceptions");
  const query = new URLSearchParams();
  const status = $("#filter-status").value;
  const type = $("#filter-type").value.trim();
  const entity = $("#filter-entity").value.trim();
  if (status) query.set("status", status);
  if (type) query.set("type", type);
  if (entity) query.set("legal_entity_id", entity);
  const result = await api(`/api/recon/exceptions?${query}`);
  if (!result.ok) { replace(body, problemView(result)); return; }
  const list = result.data;
  const types = $("#exception-types");
  for (const seen of new Set(list.map((e) => e.exception_type))) {
    if (![...types.options].some((o) => o.value === seen)) types.append(h("option", { value: seen }));
  }
  if (!list.length) { replace(body, h("p", { class: "notice" }, "No exceptions match.")); return; }
  replace(body,
    h("p", { class: "muted", "data-testid": "exception-count" }, `${list.length} exception${list.length === 1 ? "" : "s"}`),
    table(["Type", "Reference", "Entity", "Channel", "#Amount", "#Age", "Status", "Owner"], list.map((e) =>
      h("tr", {
        class: `clickable ${e.exception_id === selectedException ? "selected" : ""}`,
        "data-testid": "exception-row", dataset: { id: e.exception_id },
        onclick: () => openException(e.exception_id),
      },
      h("td", {}, e.exception_type.replaceAll("_", " ")), h("td", { class: "mono" }, e.reference || "—"),
      h("td", {}, e.legal_entity_id), h("td", {}, e.channel_id || "—"),
      h("td", { class: "num" }, money(e.amount_minor, e.currency)), h("td", { class: "num" }, `${e.age_days} d`),
      h("td", {}, badge(e.status)), h("td", {}, e.owner || "—")))));
}

/* reconciliation's reason codes (domain/workflow.py REASON_CODES; the service refuses others with 409) */
const REASON_CODES = ["chargeback_accepted", "chargeback_disputed", "processor_error", "ledger_error", "timing", "write_off", "duplicate", "other"];

const OUR_SIDE = ["ledger", "sales", "tenders", "journal", "entries", "returns"];

const HASH = /^[0-9a-f]{32,}$/;

/** One side's lines: readable columns first, amounts as money, internal ids and raw source rows folded away. */
function evidenceTable(lines) {
  const shown = (key, value) => !(value && typeof value === "object") && !(typeof value === "string" && HASH.test(value));
  const keys = [...new Set(lines.flatMap((line) => Object.keys(line).filter((k) => shown(k, line[k]))))]
    .filter((k) => k !== "currency")
    .sort((a, b) => (/_minor$/.test(a) - /_minor$/.test(b)));
  const raw = lines.filter((line) => Object.values(line).some((v) => v && typeof v === "object"));
  return [
    table(keys.map((k) => k.replace(/_minor$/, "").replaceAll("_", " ")), lines.map((line) => h("tr", {}, keys.map((k) => {
      const value = line[k];
      if (value === null || value === undefined || value === "") return h("td", {}, "—");
      if (/_minor$/.test(k)) return h("td", { class: "num" }, money(value, line.currency || line.net_currency));
      return h("td", {}, String(value));
    })))),
    raw.length ? h("details", { class: "raw" }, h("summary", {}, "source rows"),
      h("pre", {}, raw.map((line) => JSON.stringify(Object.fromEntries(Object.entries(line).filter(([, v]) => v && typeof v === "object")), null, 1)).join("\n"))) : null,
  ];
}

function evidenceSides(evidence) {
  const ours = [];
  const theirs = [];
  const facts = [];
  for (const [key, value] of Object.entries(evidence || {})) {
    if (Array.isArray(value) || (value && typeof value === "object")) {
      const lines = Array.isArray(value) ? value : [value];
      const block = h("div", { class: "side-block", "data-testid": `evidence-${key}` }, h("h4", {}, key.replaceAll("_", " ")),
        lines.length ? evidenceTable(lines) : h("p", { class: "muted" }, "nothing recorded"));
      (OUR_SIDE.includes(key) ? ours : theirs).push(block);
    } else {
      facts.push([key, value]);
    }
  }
  return [
    facts.length ? h("dl", {}, facts.map(([k, v]) => [h("dt", {}, k.replaceAll("_", " ")), h("dd", {}, String(v))])) : null,
    h("div", { class: "sides" },
      h("div", { class: "side", "data-testid": "side-ours" }, h("h4", {}, "Our books"), ours.length ? ours : h("p", { class: "muted" }, "no ledger record")),
      h("div", { class: "side", "data-testid": "side-theirs" }, h("h4", {}, "Processor / bank"), theirs.length ? theirs : h("p", { class: "muted" }, "no external record"))),
  ];
}

async function openException(id, message) {
  selectedException = id;
  document.querySelectorAll('[data-testid="exception-row"]').forEach((row) => row.classList.toggle("selected", row.dataset.id === id));
  const pane = $("#exception-detail");
  pane.hidden = false;
  const result = await api(`/api/recon/exceptions/${encodeURIComponent(id)}`);
  if (!result.ok) { replace(pane, problemView(result)); return; }
  const e = result.data;
  const feedback = h("div", { "data-testid": "action-feedback" }, message || null);
  const step = async (name, payload) => {
    const outcome = await api(`/api/recon/exceptions/${encodeURIComponent(id)}/${name}`, { method: "POST", body: payload });
    if (!outcome.ok) { replace(feedback, problemView(outcome)); return; }
    await openException(id, h("div", { class: "success" }, `${name}: the exception is now ${outcome.data.status}`));
    loadExceptions();
    loadReadiness();
  };
  const owner = h("input", { placeholder: "owner", size: 12, "data-testid": "assign-owner" });
  const reason = h("select", { "data-testid": "propose-reason" }, REASON_CODES.map((code) => h("option", { value: code }, code.replaceAll("_", " "))));
  const kind = h("select", { "data-testid": "propose-kind" }, h("option", { value: "" }, "no adjusting entry"),
    ["processor_fee", "currency_conversion", "marketplace_commission", "chargeback", "reserve", "other"].map((k) => h("option", { value: k }, k)));
  const amount = h("input", { placeholder: "amount (minor)", size: 12, "data-testid": "propose-amount", value: e.amount_minor ?? "" });
  const note = h("input", { placeholder: "note", size: 18, "data-testid": "reject-note" });
  const actions = h("div", { class: "actions" },
    h("div", { class: "row" }, h("span", {}, "Assign"), owner,
      h("button", { "data-testid": "do-assign", onclick: () => step("assign", { owner: owner.value.trim() }) }, "Assign")),
    h("div", { class: "row" }, h("span", {}, "Propose"), reason, kind, amount,
      h("button", { "data-testid": "do-propose", onclick: () => step("propose", {
        reason_code: reason.value.trim(),
        adjusting_entry: kind.value ? { kind: kind.value, amount_minor: Number(amount.value), currency: e.currency } : null,
      }) }, "Propose")),
    h("div", { class: "row" }, h("span", {}, "Decide"),
      h("button", { class: "primary", "data-testid": "do-approve", onclick: () => step("approve") }, "Approve"),
      note, h("button", { class: "danger", "data-testid": "do-reject", onclick: () => step("reject", { note: note.value }) }, "Reject")));
  replace(pane,
    h("div", { class: "detail-head" },
      h("div", {}, h("h2", {}, e.exception_type.replaceAll("_", " ")), h("div", { class: "mono muted" }, e.exception_id)),
      h("span", { "data-testid": "detail-status" }, badge(e.status))),
    h("dl", {},
      h("dt", {}, "Amount"), h("dd", {}, money(e.amount_minor, e.currency)),
      h("dt", {}, "Reference"), h("dd", { class: "mono" }, e.reference || "—"),
      h("dt", {}, "Legal entity"), h("dd", {}, `${e.legal_entity_id} · ${e.period_id}`),
      h("dt", {}, "Channel"), h("dd", {}, e.channel_id || "—"),
      h("dt", {}, "Control"), h("dd", {}, e.control),
      h("dt", {}, "Owner"), h("dd", {}, e.owner || "—"),
      h("dt", {}, "Proposed"), h("dd", {}, e.proposed_by ? `${e.reason_code} by ${e.proposed_by}` : "—"),
      h("dt", {}, "Approved by"), h("dd", { "data-testid": "detail-approved-by" }, e.approved_by || "—")),
    evidenceSides(e.evidence),
    feedback,
    e.status === "resolved" ? null : actions,
    h("h3", {}, "Audit trail"),
    h("ul", { class: "audit" }, (e.audit || []).map((a) => h("li", {}, h("span", {}, when(a.at)), h("span", {}, `${a.action} by ${a.actor}`)))));
}

/* ---------- DLQ and consumers ---------- */

async function loadDlq() {
  const body = panelBody("dlq");
  const result = await api("/api/dlq");
  if (!result.ok) { replace(body, problemView(result)); return; }
  const { depth, letters } = result.data;
  const content = [h("div", { class: "kpis" }, kpi("DLQ depth", count(depth), depth ? "bad" : "ok", "kpi-dlq-depth"))];
  if (!letters.length) content.push(h("p", { class: "notice" }, "Nothing dead-lettered."));
  else {
    content.push(table(["#Seq", "Consumer", "Subject", "Reason", "Failed", ""], letters.map((l) =>
      h("tr", { "data-testid": "dead-letter", dataset: { seq: l.seq } },
        h("td", { class: "num" }, l.seq), h("td", {}, l.consumer), h("td", { class: "mono" }, l.original_subject),
        h("td", {}, l.reason), h("td", {}, when(l.failed_at)),
        h("td", {}, h("button", { "data-testid": "replay", onclick: () => replay(l.seq) }, "Replay"))))));
  }
  replace(body, content);
}

async function replay(seq) {
  const result = await api(`/api/dlq/${seq}/replay`, { method: "POST" });
  if (!result.ok) { replace(panelBody("dlq"), problemView(result)); return; }
  toast(`Dead letter ${seq} replayed to its original subject`);
  loadDlq();
}

async function loadMessaging() {
  const body = panelBody("messaging");
  const result = await api("/api/messaging");
  if (!result.ok) { replace(body, problemView(result)); return; }
  const panel = result.data;
  const content = [h("div", { class: "kpis" },
    kpi("Total lag", count(panel.consumer_lag.reduce((a, c) => a + c.lag, 0)), "", "kpi-lag"),
    kpi("Outbox backlog", count(Object.values(panel.outbox_backlog).reduce((a, n) => a + n, 0)), "", "kpi-outbox"))];
  if (panel.unreachable.length) content.push(h("p", { class: "notice" }, `No metrics from: ${panel.unreachable.join(", ")}`));
  if (panel.consumer_lag.length) {
    content.push(table(["Service", "Consumer", "#Lag"], panel.consumer_lag.map((c) =>
      h("tr", {}, h("td", {}, c.service), h("td", { class: "mono" }, c.consumer), h("td", { class: "num" }, c.lag)))));
  } else content.push(h("p", { class: "notice" }, "No consumer has reported its lag yet."));
  replace(body, content);
}

/* ---------- order trace ---------- */

function stage(title, items, render, emptyText) {
  return h("div", { class: `stage ${items.length ? "done" : "gap empty"}`, "data-testid": `stage-${title.toLowerCase().replaceAll(" ", "-")}` },
    h("h4", {}, title, h("span", {}, items.length)),
    items.length ? items.map((item) => h("div", { class: "item" }, render(item))) : h("div", { class: "muted" }, emptyText));
}

async function loadTrace(event) {
  if (event) event.preventDefault();
  const body = panelBody("trace");
  const order = $("#trace-order").value.trim();
  if (!order) return;
  const result = await api(`/api/trace/${encodeURIComponent(order)}`);
  if (!result.ok) { replace(body, problemView(result)); return; }
  const t = result.data;
  const sum = (tx) => (tx.tenders || []).reduce((a, x) => a + x.amount.amount_minor, 0);
  replace(body,
    h("p", { class: "muted" }, "References: ", t.references.map((r) => [h("code", {}, r), " "])),
    h("div", { class: "trace" },
      stage("Sales transactions", t.transactions, (x) => [h("strong", {}, `${x.transaction.kind} ${x.transaction.document_id}`),
        h("div", {}, money(sum(x.transaction), x.transaction.currency)), h("div", { class: "muted" }, `${x.received_via} · ${when(x.recorded_at)}`),
        x.superseded ? badge("superseded", "warn") : null], "No transaction recorded"),
      stage("Journal entries", t.entries, (e) => [h("strong", { class: "mono" }, e.entry_id),
        h("div", { class: "muted" }, `${e.legal_entity_id} · ${e.period_id} · ${e.lines.length} lines`)], "Not posted"),
      stage("Settlement", t.settlement_matches, (m) => h("code", {}, JSON.stringify(m)), "No settlement match recorded"),
      stage("Bank", t.bank_receipts, (b) => h("code", {}, JSON.stringify(b)), "No bank receipt recorded"),
      stage("Exceptions", t.exceptions, (e) => [badge(e.status), " ", e.exception_type.replaceAll("_", " "),
        h("div", {}, money(e.amount_minor, e.currency))], "None")));
}

/* ---------- wiring ---------- */

const LOADERS = {
  deployments: loadDeployments, drift: loadDrift, latency: loadLatency, readiness: loadReadiness,
  exceptions: loadExceptions, dlq: loadDlq, messaging: loadMessaging,
};

async function loadAll() {
  const signedIn = Boolean(apiKey());
  $("#welcome").hidden = signedIn;
  $("#key-form").hidden = signedIn;
  $("#identity").hidden = !signedIn;
  document.querySelectorAll("[data-panel]").forEach((panel) => { panel.hidden = !signedIn; });
  if (!signedIn) { replace($("#service-status")); return; }
  await loadSession();
  await Promise.all(Object.values(LOADERS).map((load) => load().catch((error) => console.error(error))));
  document.body.dataset.loaded = "true";
}

function onSubmit(selector, handler) {
  $(selector).addEventListener("submit", (event) => { event.preventDefault(); handler(); });
}

document.addEventListener("DOMContentLoaded", () => {
  $("#promotion-ids").value = sessionStorage.getItem(PROMOTIONS_STORAGE) || "";
  onSubmit("#key-form", () => {
    const key = $("#api-key").value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    $("#api-key").value = "";
    document.body.dataset.loaded = "false";
    loadAll();
  });
  $("#sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    selectedException = null;
    $("#exception-detail").hidden = true;
    loadAll();
  });
  $("#refresh-all").addEventListener("click", () => loadAll());
  onSubmit("#deployments-form", loadDeployments);
  onSubmit("#readiness-form", loadReadiness);
  onSubmit("#exceptions-form", loadExceptions);
  $("#trace-form").addEventListener("submit", loadTrace);
  loadAll();
});
