/* Asisten CS — the supervisor's "Laporan" page of the agent console.
 *
 * Reads GET /api/agent/reports/overview?days=N (bot/reports/overview.py defines every figure) and draws it:
 * headline figures, three charts per day (volume, containment, waiting time) as inline SVG built here (no
 * library, no CDN, nothing inline for the CSP), and tables by channel, platform, reason, complaints, returns,
 * ratings, unanswered questions (each with a button to answer it: console/knowledge.js) and the latest
 * answer edits. The entry point (agent.js) calls load() when the page is opened.
 */
import { el } from "../shared/common.js";
import { api, complain } from "./api.js";
import { openFix } from "./knowledge.js";
import { $ } from "./state.js";
import { brandLabel, channelLabel, reasonLabel, wib, wibDate } from "./text.js";

var SVG_NS = "http://www.w3.org/2000/svg";
var RETURN_STATES = {
  diajukan: "Diajukan",
  disetujui: "Disetujui",
  ditolak: "Ditolak",
  dikirim_ulang: "Dikirim ulang",
  potong_invoice: "Potong invoice",
  selesai: "Selesai",
};
var OUTCOMES = { claimed: "Diambil CS", abandoned: "Batal menunggu", still_waiting: "Masih menunggu" };
var EDIT_KINDS = { phrasing: "Kalimat ditambahkan", answer: "Jawaban diubah", topic: "Topik baru" };
var NUMBER = new Intl.NumberFormat("id-ID");
var loading = 0;

function percent(rate) {
  return rate === null || rate === undefined ? "–" : NUMBER.format(Math.round(rate * 1000) / 10) + "%";
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  seconds = Math.round(seconds);
  if (seconds < 60) return seconds + " dtk";
  var minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes + " mnt";
  return Math.floor(minutes / 60) + " j " + (minutes % 60) + " mnt";
}

function count(n) {
  return NUMBER.format(n || 0);
}

function shortDate(iso) {
  var parts = String(iso).split("-");
  return parts.length === 3 ? parseInt(parts[2], 10) + "/" + parseInt(parts[1], 10) : String(iso);
}

function svg(tag, attrs, children) {
  var node = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (name) {
    node.setAttribute(name, String(attrs[name]));
  });
  (children || []).forEach(function (child) {
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

// A bar chart of one figure per day; days without a value (no conversations, no waits) get no bar.
function barChart(id, title, days, pick, format, maxValue) {
  var width = 560;
  var height = 190;
  var left = 44;
  var bottom = 26;
  var top = 14;
  var values = days.map(pick);
  var present = values.filter(function (v) {
    return v !== null && v !== undefined;
  });
  var max = maxValue || Math.max.apply(null, present.concat([1]));
  var slot = (width - left - 8) / Math.max(days.length, 1);
  var plot = height - top - bottom;
  var children = [
    svg("line", { x1: left, y1: top + plot, x2: width - 4, y2: top + plot, class: "axis" }),
    svg("text", { x: left - 6, y: top + 4, class: "tick", "text-anchor": "end" }, [format(max)]),
    svg("text", { x: left - 6, y: top + plot, class: "tick", "text-anchor": "end" }, [format(0)]),
  ];
  var every = Math.ceil(days.length / 10);
  days.forEach(function (day, i) {
    var x = left + i * slot;
    var value = values[i];
    if (value !== null && value !== undefined) {
      var h = Math.max(1, (value / max) * plot);
      children.push(
        svg("rect", { x: x + slot * 0.15, y: top + plot - h, width: slot * 0.7, height: h, class: "bar" }, [
          svg("title", {}, [shortDate(day.date) + ": " + format(value)]),
        ])
      );
      if (days.length <= 14) {
        children.push(
          svg("text", { x: x + slot / 2, y: top + plot - h - 3, class: "value", "text-anchor": "middle" }, [
            format(value),
          ])
        );
      }
    }
    if (i % every === 0) {
      children.push(
        svg("text", { x: x + slot / 2, y: height - 8, class: "tick", "text-anchor": "middle" }, [
          shortDate(day.date),
        ])
      );
    }
  });
  var summary = days
    .map(function (day, i) {
      return shortDate(day.date) + " " + (values[i] === null || values[i] === undefined ? "–" : format(values[i]));
    })
    .join(", ");
  var figure = el("figure", { class: "chart", "data-chart": id }, [
    el("figcaption", { text: title }),
  ]);
  figure.appendChild(
    svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": title + ": " + summary }, children)
  );
  return figure;
}

function card(label, value, note, key) {
  return el("div", { class: "kpi", "data-kpi": key }, [
    el("p", { class: "kpi-label", text: label }),
    el("p", { class: "kpi-value", text: value }),
    note ? el("p", { class: "kpi-note", text: note }) : null,
  ]);
}

function table(caption, head, rows, key, wide) {
  return el("table", { class: "report-table" + (wide ? " wide" : ""), "data-table": key }, [
    el("caption", { text: caption }),
    el("thead", {}, [el("tr", {}, head.map(function (h) {
      return el("th", { scope: "col", text: h });
    }))]),
    el("tbody", {}, rows.length
      ? rows.map(function (row) {
          return el("tr", {}, row.map(function (cell, i) {
            if (typeof cell !== "string") return el("td", {}, [cell]); // a button
            return el(i === 0 ? "th" : "td", i === 0 ? { scope: "row", text: cell } : { text: cell });
          }));
        })
      : [el("tr", {}, [el("td", { colspan: head.length, class: "empty", text: "Belum ada data." })])]),
  ]);
}

function sliceRows(slices, label) {
  return Object.keys(slices).map(function (name) {
    var s = slices[name];
    return [
      label(name),
      count(s.conversations),
      count(s.messages),
      percent(s.contained_rate),
      percent(s.handoff_rate),
      duration(s.median_wait_seconds),
    ];
  });
}

function render(data, edits) {
  var body = $("reports-body");
  while (body.firstChild) body.removeChild(body.firstChild);
  var csat = data.csat || { average: null, responses: 0, distribution: {} };
  var complaints = data.complaints || {};
  body.appendChild(
    el("section", { class: "kpis", "aria-label": "Ringkasan" }, [
      card("Percakapan", count(data.conversations), count(data.messages) + " pesan", "conversations"),
      card("Selesai oleh bot", percent(data.contained_rate), "tanpa dialihkan ke CS", "contained"),
      card("Dialihkan ke CS", percent(data.handoff_rate), count(data.handoffs) + " permintaan", "handoff"),
      card("Waktu tunggu CS", duration(data.median_wait_seconds), "median; p90 " + duration(data.p90_wait_seconds), "wait"),
      card("Respons pertama CS", duration(data.median_first_response_seconds), "median sejak diambil", "first-response"),
      card(
        "Kepuasan (CSAT)",
        csat.average === null ? "–" : NUMBER.format(csat.average) + " / 5",
        count(csat.responses) + " penilaian",
        "csat"
      ),
      card(
        "Pengaduan",
        count(complaints.opened),
        count(complaints.answered_on_time) + " tepat waktu · " + count(complaints.breached) + " lewat batas",
        "complaints"
      ),
    ])
  );
  var days = data.daily || [];
  body.appendChild(
    el("section", { class: "charts", "aria-label": "Grafik harian" }, [
      barChart("volume", "Percakapan per hari", days, function (d) {
        return d.conversations;
      }, count),
      barChart("containment", "Selesai oleh bot per hari", days, function (d) {
        return d.conversations ? d.contained_rate : null;
      }, percent, 1),
      barChart("wait", "Median waktu tunggu CS per hari", days, function (d) {
        return d.median_wait_seconds;
      }, duration),
    ])
  );
  var reasons = data.handoffs_by_reason || {};
  var outcomes = data.handoff_outcomes || {};
  var distribution = csat.distribution || {};
  var returns = data.returns_by_state || {};
  var slices = ["Kanal", "Percakapan", "Pesan", "Selesai oleh bot", "Dialihkan", "Median tunggu"];
  body.appendChild(
    el("section", { class: "tables", "aria-label": "Rincian" }, [
      table("Per kanal", slices, sliceRows(data.by_channel || {}, channelLabel), "channels", true),
      table(
        "Per platform",
        ["Platform"].concat(slices.slice(1)),
        sliceRows(data.by_brand || {}, function (b) {
          return b === "-" ? "Tanpa platform" : brandLabel(b);
        }),
        "brands",
        true
      ),
      table("Alasan dialihkan ke CS", ["Alasan", "Jumlah"], Object.keys(reasons).map(function (r) {
        return [reasonLabel(r), count(reasons[r])];
      }), "reasons"),
      table("Nasib permintaan CS", ["Hasil", "Jumlah"], Object.keys(outcomes).map(function (o) {
        return [OUTCOMES[o] || o, count(outcomes[o])];
      }), "outcomes"),
      table("Pengaduan (POJK 18/2018)", ["Pengaduan", "Jumlah"], [
        ["Diterima", count(complaints.opened)],
        ["Dijawab tepat waktu", count(complaints.answered_on_time)],
        ["Melewati batas waktu", count(complaints.breached)],
        ["Masih terbuka", count(complaints.open)],
      ], "complaints"),
      table("Retur barang rusak", ["Status", "Jumlah"], Object.keys(returns).map(function (s) {
        return [RETURN_STATES[s] || s, count(returns[s])];
      }), "returns"),
      table("Sebaran penilaian", ["Nilai", "Jumlah"], ["5", "4", "3", "2", "1"].map(function (n) {
        return [n + " ★", count(distribution[n])];
      }), "csat"),
      table(
        "Pertanyaan yang belum terjawab",
        ["Pertanyaan", "Jumlah", "Contoh lain", "Tindakan"],
        (data.top_unanswered || []).map(function (g) {
          var fix = el("button", { type: "button", class: "small", text: "Jawab" });
          fix.addEventListener("click", function () {
            openFix(g);
          });
          return [g.question, count(g.count), (g.variants || []).join(" · "), fix];
        }),
        "unanswered",
        true
      ),
      table(
        "Perubahan jawaban terbaru",
        ["Waktu", "Oleh", "Topik", "Perubahan"],
        (edits || []).map(function (e) {
          var what = e.kind === "topic" ? e.question : e.text;
          what = String(what || "");
          return [
            wib(e.created_at),
            e.author,
            e.topic,
            (EDIT_KINDS[e.kind] || e.kind) + ": " + (what.length > 140 ? what.slice(0, 140) + "…" : what),
          ];
        }),
        "edits",
        true
      ),
    ])
  );
}

export function load() {
  var days = $("reports-days").value || "7";
  var seq = ++loading;
  $("reports-status").textContent = "Memuat laporan…";
  return Promise.all([
    api("GET", "/reports/overview?days=" + encodeURIComponent(days)),
    api("GET", "/api/knowledge/edits?limit=20"),
  ])
    .then(function (results) {
      if (seq !== loading) return;
      var data = results[0];
      render(data, results[1]);
      $("reports-status").textContent =
        "Periode " + wibDate(data.since) + " – " + wibDate(data.until) + " (WIB).";
    })
    .catch(function (error) {
      if (seq !== loading) return;
      $("reports-status").textContent = "Laporan belum bisa dimuat.";
      complain(error);
    });
}

$("reports-days").addEventListener("change", load);
$("reports-refresh").addEventListener("click", load);
