/*
 * Asisten CS — the agent console (GET /agent). Plain JavaScript: no build step, no dependencies.
 *
 * Talks to the JSON API under /api/agent and listens on the WebSocket /ws/agent (docs/agent-console.md).
 * Every text from the server is set with textContent on elements made with createElement: nothing is ever
 * parsed as HTML. Mutating requests carry the X-CSRF-Token from the login (or /me) answer.
 */
(function () {
  "use strict";

  var API = "/api/agent";
  var RETRY_FIRST_MS = 500;
  var RETRY_MAX_MS = 10000;
  var CANNED_DELAY_MS = 250;
  var TICK_MS = 5000;
  var PING_MS = 60000; // any frame on /ws/agent tells the gateway the agent is still at the console
  var CLOSING_PREFILL = "Terima kasih sudah menghubungi kami, Kak. Ringkasan: ";

  var TEXT = {
    badLogin: "Username atau kata sandi salah",
    tooMany: function (seconds) {
      return "Terlalu banyak percobaan, coba lagi dalam " + seconds + " detik";
    },
    network: "Tidak dapat terhubung ke server. Periksa koneksi lalu coba lagi.",
    forbidden: "Permintaan ditolak. Muat ulang halaman lalu coba lagi.",
    notFound: "Data tidak ditemukan. Mungkin sudah berubah; muat ulang daftar.",
    invalid: "Isian belum lengkap atau tidak valid.",
    cannedUnavailable: "Balasan cepat sedang tidak tersedia.",
    ordersUnavailable: "Data pesanan sedang tidak dapat dimuat dari sistem pesanan.",
    phones: "Nomor",
    failed: function (status) {
      return "Terjadi kesalahan (kode " + status + "). Silakan coba lagi.";
    },
    connected: "Terhubung",
    connecting: "Menghubungkan…",
    reconnecting: "Menghubungkan ulang…",
    emptyQueue: "Antrean kosong. Belum ada pelanggan yang menunggu.",
    emptyMine: "Belum ada percakapan yang Anda tangani.",
    emptyActive: "Tidak ada percakapan aktif.",
    loadingList: "Memuat…",
    claim: "Ambil",
    newMessage: "Pesan baru",
    waiting: "menunggu",
    you: "Anda",
    customer: "Pelanggan",
    bot: "Bot",
    system: "Sistem",
    cs: "CS",
    note: "Catatan internal",
    replyLabel: "Balasan untuk pelanggan",
    noteLabel: "Catatan internal (tidak dikirim ke pelanggan)",
    replyPlaceholder: "Tulis balasan… (Enter kirim, Shift+Enter baris baru)",
    notePlaceholder: "Tulis catatan untuk tim CS… (Enter simpan, Shift+Enter baris baru)",
    send: "Kirim",
    saveNote: "Simpan catatan",
    hintClaimFirst: "Ambil percakapan ini dulu untuk membalas pelanggan.",
    hintNotYours: "Percakapan ini sedang ditangani agent lain.",
    hintNotWithAgent: "Balasan hanya bisa dikirim saat percakapan ditangani CS.",
    hintNote: "Catatan internal hanya terlihat oleh tim CS.",
    nobody: "—",
    noneYet: "Belum ada",
    noReason: "—",
    claimed: "Percakapan diambil.",
    released: "Percakapan dikembalikan ke bot.",
    closed: "Percakapan diselesaikan.",
    transferred: function (name) {
      return "Percakapan dialihkan ke " + name + ".";
    },
    noOtherAgents: "Tidak ada agent lain.",
    online: "daring",
    offline: "luring",
    cannedNone: "Tidak ada balasan yang cocok.",
    cannedCount: function (n) {
      return n + " balasan ditemukan.";
    },
    orders: "Pesanan",
    returns: "Retur",
    tickets: "Tiket pengaduan",
    noOrders: "Tidak ada pesanan.",
    noReturns: "Tidak ada retur.",
    noTickets: "Tidak ada tiket.",
    noCustomer: "Belum ada percakapan yang dipilih.",
    approve: "Setujui",
    reject: "Tolak",
    answer: "Jawab",
    extend: "Perpanjang",
    closeTicket: "Tutup",
    due: "Batas waktu",
    nearDeadline: "Mendekati batas waktu",
    breached: "Lewat batas waktu",
    approveTitle: function (number) {
      return "Setujui retur " + number;
    },
    rejectTitle: function (number) {
      return "Tolak retur " + number;
    },
    reasonRequired: "Alasan penolakan wajib diisi.",
    quantityInvalid: function (max) {
      return max ? "Jumlah harus antara 1 dan " + max + "." : "Jumlah minimal 1.";
    },
    returnSaved: "Keputusan retur tersimpan dan pelanggan diberi tahu.",
    ticketTitles: {
      answered: "Jawab tiket ",
      extended: "Perpanjang tiket ",
      closed: "Tutup tiket ",
    },
    ticketLabels: {
      answered: "Jawaban untuk pelanggan (wajib)",
      extended: "Alasan perpanjangan (wajib, dikirim ke pelanggan)",
      closed: "Catatan penutupan (opsional)",
    },
    noteRequired: "Catatan wajib diisi.",
    ticketSaved: "Tiket diperbarui dan pelanggan diberi tahu.",
    summaryRequired: "Ringkasan penutup wajib diisi.",
    quantity: function (reported) {
      return "Jumlah dilaporkan: " + reported;
    },
    media: { image: "Foto", pdf: "Dokumen", other: "Lampiran" },
    buttons: "Tombol",
    image: "Gambar",
  };

  var REASONS = {
    customer_request: "Minta CS",
    repeated_fallback: "Bot tidak paham",
    angry_complaint: "Pelanggan kecewa",
  };
  var STATES = {
    bot: "Dilayani bot",
    waiting_agent: "Menunggu CS",
    with_agent: "Ditangani CS",
    closed: "Selesai",
  };
  var CHANNELS = { whatsapp: "WhatsApp", widget: "Web", rest: "API" };
  var BRANDS = {
    usahaku99: "99% Usahaku",
    aksestoko: "AksesToko",
    seller_center: "Seller Center",
    cankul: "Cankul",
    perhutani: "Perhutani",
  };
  var EVENTS = {
    handoff_requested: "Minta CS",
    claimed: "Diambil",
    transferred: "Dialihkan",
    returned_to_bot: "Dikembalikan ke bot",
    closed: "Diselesaikan",
    reopened: "Dibuka kembali",
    whatsapp_not_sent: "WhatsApp tidak terkirim",
    queue_reminder: "Pengingat antrean",
    queue_ack: "Pesan menunggu dibalas otomatis",
    csat_asked: "Penilaian diminta",
    csat: "Penilaian pelanggan",
  };
  var OPEN_TICKET = ["diterima", "diproses", "diperpanjang"];

  // --- state ---------------------------------------------------------------------------------------------
  var me = null; // {username, name, role}
  var csrf = null;
  var view = "queue";
  var lists = { queue: [], mine: [], active: [] };
  var loaded = { queue: false, mine: false, active: false };
  var openId = null;
  var detail = null;
  // Messages and notes of the open conversation that arrived live (or as a POST answer): a detail fetched
  // before they were stored must not make them disappear, so they are merged into every detail shown.
  var live = { messages: new Map(), notes: new Map() };
  var shownMessages = new Set();
  var shownNotes = new Set();
  var unread = new Set();
  var mode = "reply";
  var socket = null;
  var socketAttempt = 0;
  var socketTimer = null;
  var everConnected = false;
  var listTimer = null;
  var detailTimer = null;
  var cannedTimer = null;
  var cannedSeq = 0;
  var waitTimes = []; // [{node, summary}] of the list on screen
  var sending = false;

  // --- small helpers -------------------------------------------------------------------------------------
  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === null || value === undefined) return;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // Rebuilding a part of the page must not throw the keyboard user's focus away: controls carry a
  // data-key, and the focused one is focused again after the rebuild.
  function rebuild(container, build) {
    var active = document.activeElement;
    var key = active && container.contains(active) ? active.getAttribute("data-key") : null;
    build();
    if (!key) return;
    var found = null;
    Array.prototype.some.call(container.querySelectorAll("[data-key]"), function (node) {
      if (node.getAttribute("data-key") === key) found = node;
      return found !== null;
    });
    if (found && !found.disabled) found.focus();
  }

  function sameId(a, b) {
    return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
  }

  function agentUsername(agent) {
    if (!agent) return null;
    if (typeof agent === "string") return agent.replace(/^agent:/, "");
    return agent.username || null;
  }

  function agentName(agent) {
    if (!agent) return null;
    if (typeof agent === "string") return agent.replace(/^agent:/, "");
    return agent.name || agent.username || null;
  }

  function reasonLabel(reason) {
    if (!reason) return TEXT.noReason;
    if (typeof reason === "object") reason = reason.reason || "";
    return REASONS[reason] || String(reason);
  }

  function stateLabel(state) {
    return STATES[state] || String(state || "");
  }

  function channelLabel(channel) {
    return CHANNELS[channel] || String(channel || "");
  }

  function brandLabel(brand) {
    return BRANDS[brand] || String(brand || "");
  }

  function customerLabel(conversation) {
    if (!conversation) return "";
    var c = conversation.customer;
    if (typeof c === "string" && c) return c;
    if (c && typeof c === "object") {
      var label = c.label || c.masked || c.phone || c.name;
      if (label) return String(label);
    }
    var summary = findSummary(conversation.id);
    if (summary && typeof summary.customer === "string") return summary.customer;
    return TEXT.customer;
  }

  var WIB_TIME = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit" });
  var WIB_DAY = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", day: "numeric", month: "short" });
  var WIB_DATE = new Intl.DateTimeFormat("id-ID", {
    timeZone: "Asia/Jakarta",
    day: "numeric",
    month: "short",
    year: "numeric",
  });

  // "14.05 WIB" today, "3 Des 14.05 WIB" on other days.
  function wib(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    var day = WIB_DAY.format(date);
    var prefix = day === WIB_DAY.format(new Date()) ? "" : day + " ";
    return prefix + WIB_TIME.format(date) + " WIB";
  }

  // A calendar date ("2026-12-20") in Jakarta.
  function wibDate(value) {
    if (!value) return "";
    var date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? value + "T12:00:00+07:00" : value);
    return isNaN(date.getTime()) ? String(value) : WIB_DATE.format(date);
  }

  function waitedText(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return TEXT.waiting + " " + seconds + " dtk";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return TEXT.waiting + " " + minutes + " mnt";
    var hours = Math.floor(minutes / 60);
    return TEXT.waiting + " " + hours + " j " + (minutes % 60) + " mnt";
  }

  // Seconds waited now: the server's count when the list came, plus the time since (no clock skew).
  function waitedNow(summary) {
    if (typeof summary.waited_seconds === "number" && summary._fetchedAt) {
      return summary.waited_seconds + (Date.now() - summary._fetchedAt) / 1000;
    }
    var since = summary.waiting_since ? new Date(summary.waiting_since).getTime() : NaN;
    return isNaN(since) ? null : (Date.now() - since) / 1000;
  }

  function authorKind(author) {
    author = String(author || "");
    if (author === "customer") return "customer";
    if (author === "bot") return "bot";
    if (author.indexOf("agent:") === 0) return "agent";
    return "system";
  }

  function authorLabel(author) {
    var kind = authorKind(author);
    if (kind === "customer") return TEXT.customer;
    if (kind === "bot") return TEXT.bot;
    if (kind === "system") return TEXT.system;
    var username = String(author).slice("agent:".length);
    if (me && username === me.username) return TEXT.cs + " " + username + " (" + TEXT.you + ")";
    return TEXT.cs + " " + username;
  }

  function findSummary(id) {
    var found = null;
    ["queue", "mine", "active"].some(function (name) {
      return lists[name].some(function (summary) {
        if (sameId(summary.id, id)) {
          found = summary;
          return true;
        }
        return false;
      });
    });
    return found;
  }

  // --- messages to the agent -------------------------------------------------------------------------------
  var flashTimer = null;
  function showError(text) {
    $("notice").textContent = "";
    $("error").textContent = text || "";
    window.clearTimeout(flashTimer);
    if (text) flashTimer = window.setTimeout(function () { $("error").textContent = ""; }, 15000);
  }

  function showNotice(text) {
    $("error").textContent = "";
    $("notice").textContent = text || "";
    window.clearTimeout(flashTimer);
    if (text) flashTimer = window.setTimeout(function () { $("notice").textContent = ""; }, 6000);
  }

  // --- the API ---------------------------------------------------------------------------------------------
  function ApiError(status, detail, retryAfter) {
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }

  function detailText(body) {
    if (!body || typeof body !== "object") return null;
    var detail = body.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail
        .map(function (item) {
          return item && typeof item.msg === "string" ? item.msg : "";
        })
        .filter(Boolean)
        .join("; ") || null;
    }
    return null;
  }

  function api(method, path, body) {
    var headers = { Accept: "application/json" };
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    var init = { method: method, credentials: "same-origin", headers: headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    // "/reports/…" is under /api/agent; a full "/api/…" path (the knowledge API) is used as it is.
    return fetch(path.indexOf("/api/") === 0 ? path : API + path, init).then(
      function (response) {
        return response.text().then(function (raw) {
          var data = null;
          if (raw) {
            try {
              data = JSON.parse(raw);
            } catch (e) {
              data = null;
            }
          }
          if (response.ok) return data;
          var retry = parseInt(response.headers.get("Retry-After") || "", 10);
          var error = new ApiError(response.status, detailText(data), isNaN(retry) ? null : retry);
          if (response.status === 401 && path !== "/login" && me) showLogin();
          throw error;
        });
      },
      function () {
        throw new ApiError(0, null, null);
      }
    );
  }

  // What the agent is told when a request fails (401 has already brought back the login form).
  function complain(error) {
    if (!(error instanceof ApiError)) {
      if (window.console) window.console.error(error);
      showError(TEXT.failed("?"));
      return;
    }
    if (error.status === 401) return;
    showError(errorText(error));
  }

  // A conflict's explanation comes from the server (in Indonesian, e.g. "Sudah diambil oleh agent lain");
  // other failures get a sentence of ours (the server's details there are for developers).
  function errorText(error) {
    if (!(error instanceof ApiError)) return TEXT.failed("?");
    if (error.status === 0) return TEXT.network;
    if (error.status === 409 && error.detail) return error.detail;
    if (error.status === 403) return TEXT.forbidden;
    if (error.status === 404) return TEXT.notFound;
    if (error.status === 422) return TEXT.invalid;
    return TEXT.failed(error.status);
  }

  // --- login ---------------------------------------------------------------------------------------------
  function showLogin(message) {
    me = null;
    csrf = null;
    stopSocket();
    closeDialogs();
    openId = null;
    detail = null;
    resetLive();
    unread.clear();
    lists = { queue: [], mine: [], active: [] };
    loaded = { queue: false, mine: false, active: false };
    $("loading").hidden = true;
    $("console-view").hidden = true;
    $("login-view").hidden = false;
    $("login-password").value = "";
    $("login-error").textContent = message || "";
    document.title = "Masuk — Konsol CS";
    $("login-username").focus();
  }

  function startConsole(session) {
    me = session.agent;
    csrf = session.csrf_token;
    $("loading").hidden = true;
    $("login-view").hidden = true;
    $("console-view").hidden = false;
    $("me-name").textContent = (me.name || me.username) + " (" + me.username + ")";
    $("page-reports").hidden = !supervises();
    showPage("chats");
    renderChat();
    renderCustomer();
    selectTab(view, false);
    refreshLists();
    connectSocket();
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var username = $("login-username").value.trim();
    var password = $("login-password").value;
    if (!username || !password) {
      $("login-error").textContent = TEXT.badLogin;
      return;
    }
    $("login-submit").disabled = true;
    $("login-error").textContent = "";
    api("POST", "/login", { username: username, password: password })
      .then(function (session) {
        $("login-password").value = "";
        startConsole(session);
      })
      .catch(function (error) {
        var status = error instanceof ApiError ? error.status : -1;
        if (status === 401) $("login-error").textContent = TEXT.badLogin;
        else if (status === 429) $("login-error").textContent = TEXT.tooMany(error.retryAfter || 60);
        else $("login-error").textContent = errorText(error);
        $("login-password").focus();
      })
      .then(function () {
        $("login-submit").disabled = false;
      });
  });

  $("logout").addEventListener("click", function () {
    api("POST", "/logout")
      .catch(function () {
        /* the session is forgotten here either way */
      })
      .then(function () {
        view = "queue";
        showLogin();
      });
  });

  // --- pages: the conversations, and for supervisors the reports (bot/static/reports.js) --------------------
  function showPage(name) {
    var reports = name === "reports" && supervises();
    $("chats-page").hidden = reports;
    $("reports-page").hidden = !reports;
    $("page-chats").setAttribute("aria-pressed", reports ? "false" : "true");
    $("page-reports").setAttribute("aria-pressed", reports ? "true" : "false");
    document.title = reports ? "Laporan — Konsol CS" : "Konsol CS";
    if (reports && window.CsReports) window.CsReports.load();
  }

  $("page-chats").addEventListener("click", function () {
    showPage("chats");
  });
  $("page-reports").addEventListener("click", function () {
    showPage("reports");
  });

  // What reports.js borrows: the element builder, the API client with its error handling, the labels.
  window.CsConsole = {
    el: el,
    api: api,
    complain: complain,
    reasonLabel: reasonLabel,
    channelLabel: channelLabel,
    brandLabel: brandLabel,
    brands: BRANDS,
    wib: wib,
    wibDate: wibDate,
    openDialog: openDialog,
    submitDialog: submitDialog,
    dialogError: dialogError,
    showNotice: showNotice,
  };

  // --- the lists -------------------------------------------------------------------------------------------
  var TABS = ["queue", "mine", "active"];

  function selectTab(name, focus) {
    view = name;
    TABS.forEach(function (tabName) {
      var tab = $("tab-" + tabName);
      var selected = tabName === name;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      if (selected && focus) tab.focus();
    });
    $("list-panel").setAttribute("aria-labelledby", "tab-" + name);
    renderList();
  }

  TABS.forEach(function (name, index) {
    var tab = $("tab-" + name);
    tab.addEventListener("click", function () {
      selectTab(name, false);
      loadList(name);
    });
    tab.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight") next = TABS[(index + 1) % TABS.length];
      else if (event.key === "ArrowLeft") next = TABS[(index + TABS.length - 1) % TABS.length];
      else if (event.key === "Home") next = TABS[0];
      else if (event.key === "End") next = TABS[TABS.length - 1];
      if (next) {
        event.preventDefault();
        selectTab(next, true);
        loadList(next);
      }
    });
  });

  function loadList(name) {
    return api("GET", "/conversations?view=" + encodeURIComponent(name))
      .then(function (items) {
        var now = Date.now();
        lists[name] = (Array.isArray(items) ? items : []).map(function (summary) {
          summary._fetchedAt = now;
          return summary;
        });
        loaded[name] = true;
        renderCounts();
        if (name === view) renderList();
      })
      .catch(complain);
  }

  function refreshLists() {
    window.clearTimeout(listTimer);
    listTimer = null;
    if (!me) return Promise.resolve();
    return Promise.all(TABS.map(loadList));
  }

  // Several frames in a row (a claim changes the queue and a conversation) give one reload.
  function refreshListsSoon() {
    if (listTimer) return;
    listTimer = window.setTimeout(refreshLists, 250);
  }

  function renderCounts() {
    var waiting = lists.queue.length;
    TABS.forEach(function (name) {
      $("count-" + name).textContent = loaded[name] ? "(" + lists[name].length + ")" : "";
      var dot = $("tab-" + name).querySelector(".tab-dot");
      dot.hidden = !lists[name].some(function (summary) {
        return unread.has(String(summary.id));
      });
    });
    document.title = (waiting ? "(" + waiting + ") " : "") + "Konsol CS";
  }

  function renderList() {
    rebuild($("list-panel"), buildList);
    renderCounts();
  }

  function buildList() {
    var list = $("conversation-list");
    clear(list);
    waitTimes = [];
    var items = lists[view];
    var empty = $("list-empty");
    if (!items.length) {
      empty.hidden = false;
      empty.textContent = !loaded[view]
        ? TEXT.loadingList
        : view === "queue"
          ? TEXT.emptyQueue
          : view === "mine"
            ? TEXT.emptyMine
            : TEXT.emptyActive;
    } else {
      empty.hidden = true;
    }
    items.forEach(function (summary) {
      list.appendChild(listItem(summary));
    });
  }

  function listItem(summary) {
    var id = String(summary.id);
    var isOpen = sameId(id, openId);
    var hasUnread = unread.has(id);
    var who = customerLabel(summary);
    var channel = el("span", { class: "badge channel-" + String(summary.channel || "other"), text: channelLabel(summary.channel) });
    var top = el("span", { class: "item-top" }, [
      channel,
      el("span", { class: "item-customer", text: who }),
      hasUnread ? el("span", { class: "dot", title: TEXT.newMessage }, [el("span", { class: "sr", text: TEXT.newMessage })]) : null,
    ]);
    var facts = el("span", { class: "item-facts" });
    if (summary.state === "waiting_agent") {
      var wait = el("span", { class: "item-wait" });
      var seconds = waitedNow(summary);
      wait.textContent = seconds === null ? "" : waitedText(seconds);
      waitTimes.push({ node: wait, summary: summary });
      facts.appendChild(wait);
    } else {
      facts.appendChild(el("span", { class: "state state-" + summary.state, text: stateLabel(summary.state) }));
    }
    if (summary.handoff_reason) {
      facts.appendChild(el("span", { class: "item-reason", text: reasonLabel(summary.handoff_reason) }));
    }
    if (summary.state === "with_agent" && summary.agent) {
      facts.appendChild(el("span", { class: "item-agent", text: TEXT.cs + " " + (summary.agent_name || agentName(summary.agent)) }));
    }
    var last = summary.last_message && summary.last_message.text ? String(summary.last_message.text) : "";
    var open = el(
      "button",
      { type: "button", class: "item-open", "aria-current": isOpen ? "true" : null, "data-key": "open:" + id },
      [top, facts, last ? el("span", { class: "item-last", text: last.length > 90 ? last.slice(0, 90) + "…" : last }) : null]
    );
    open.addEventListener("click", function () {
      openConversation(id);
    });
    var item = el("li", { class: "item" + (isOpen ? " open" : "") + (hasUnread ? " unread" : ""), "data-id": id }, [open]);
    if (view === "queue" && summary.state === "waiting_agent") {
      var claimButton = el("button", {
        type: "button",
        class: "item-claim primary",
        "aria-label": TEXT.claim + " — " + who,
        "data-key": "claim:" + id,
        text: TEXT.claim,
      });
      claimButton.addEventListener("click", function () {
        claim(id, claimButton);
      });
      item.appendChild(claimButton);
    }
    return item;
  }

  window.setInterval(function () {
    waitTimes.forEach(function (entry) {
      var seconds = waitedNow(entry.summary);
      if (seconds !== null) entry.node.textContent = waitedText(seconds);
    });
  }, TICK_MS);

  // --- one conversation ----------------------------------------------------------------------------------
  function openConversation(id) {
    var changed = !sameId(id, openId);
    openId = String(id);
    unread.delete(openId);
    if (changed) {
      detail = null;
      resetLive();
      $("canned-search").value = "";
      clearCanned();
    }
    renderList();
    return loadDetail(changed);
  }

  function loadDetail(scroll) {
    var id = openId;
    if (id === null) return Promise.resolve();
    return api("GET", "/conversations/" + encodeURIComponent(id))
      .then(function (data) {
        if (!sameId(id, openId)) return;
        setDetail(data, scroll);
      })
      .catch(complain);
  }

  function loadDetailSoon() {
    window.clearTimeout(detailTimer);
    detailTimer = window.setTimeout(function () {
      loadDetail(false);
    }, 200);
  }

  function resetLive() {
    live = { messages: new Map(), notes: new Map() };
  }

  function mergeLive(data) {
    var messages = Array.isArray(data.messages) ? data.messages.slice() : [];
    var ids = new Set(
      messages.map(function (message) {
        return String(message.id);
      })
    );
    live.messages.forEach(function (message, id) {
      if (!ids.has(id)) messages.push(message);
    });
    messages.sort(function (a, b) {
      return (Number(a.id) || 0) - (Number(b.id) || 0);
    });
    var notes = Array.isArray(data.notes) ? data.notes.slice() : [];
    var keys = new Set(notes.map(noteKey));
    live.notes.forEach(function (note, key) {
      if (!keys.has(key)) notes.push(note);
    });
    data.messages = messages;
    data.notes = notes;
    return data;
  }

  function setDetail(data, scroll) {
    if (!data || !sameId(data.id, openId)) return;
    detail = mergeLive(data);
    renderChat(scroll);
    renderCustomer();
  }

  function mine() {
    return !!(detail && me && detail.state === "with_agent" && agentUsername(detail.agent) === me.username);
  }

  function supervises() {
    return !!(me && me.role === "supervisor");
  }

  // Which actions make sense now (the server decides; this only avoids offering what it would refuse).
  function allowed() {
    var state = detail ? detail.state : null;
    var holder = mine() || (state === "with_agent" && supervises());
    return {
      claim: state === "waiting_agent",
      reply: mine(),
      note: !!detail,
      transfer: state === "with_agent" && holder,
      release: state === "waiting_agent" || (state === "with_agent" && holder),
      close: state === "waiting_agent" || (state === "with_agent" && holder),
    };
  }

  function renderChat(scroll) {
    var hasDetail = !!detail;
    $("no-selection").hidden = hasDetail || openId !== null;
    $("chat").hidden = !hasDetail;
    if (!hasDetail) return;
    $("chat-title").textContent = customerLabel(detail);
    var channel = $("chat-channel");
    channel.textContent = channelLabel(detail.channel) + (detail.brand ? " · " + brandLabel(detail.brand) : "");
    channel.className = "badge channel-" + String(detail.channel || "other");
    var stateNode = $("chat-state");
    stateNode.textContent = stateLabel(detail.state);
    stateNode.className = "state state-" + String(detail.state);
    $("chat-reason").textContent = reasonLabel(detail.handoff_reason);
    $("chat-agent").textContent = detail.agent ? detail.agent_name || agentName(detail.agent) : TEXT.nobody;
    renderEvents();
    renderTranscript(scroll);
    renderControls();
  }

  function renderControls() {
    var can = allowed();
    $("act-claim").disabled = !can.claim;
    $("act-transfer").disabled = !can.transfer;
    $("act-release").disabled = !can.release;
    $("act-close").disabled = !can.close;
    var noteMode = mode === "note";
    $("mode-reply").setAttribute("aria-pressed", noteMode ? "false" : "true");
    $("mode-note").setAttribute("aria-pressed", noteMode ? "true" : "false");
    $("composer-form").classList.toggle("note-mode", noteMode);
    $("composer-label").textContent = noteMode ? TEXT.noteLabel : TEXT.replyLabel;
    $("composer-text").placeholder = noteMode ? TEXT.notePlaceholder : TEXT.replyPlaceholder;
    $("composer-send").textContent = noteMode ? TEXT.saveNote : TEXT.send;
    var canSend = noteMode ? can.note : can.reply;
    $("composer-send").disabled = !canSend || sending;
    var hint = "";
    if (noteMode) hint = TEXT.hintNote;
    else if (!can.reply && detail) {
      if (detail.state === "waiting_agent") hint = TEXT.hintClaimFirst;
      else if (detail.state === "with_agent") hint = TEXT.hintNotYours;
      else hint = TEXT.hintNotWithAgent;
    }
    $("composer-hint").textContent = hint;
  }

  function renderEvents() {
    var listNode = $("chat-events-list");
    clear(listNode);
    var events = Array.isArray(detail.events) ? detail.events : [];
    $("chat-events").hidden = !events.length;
    events.forEach(function (event) {
      var info = event.detail && typeof event.detail === "object" ? event.detail : {};
      var parts = [EVENTS[event.kind] || String(event.kind || "")];
      if (info.from && info.to) parts.push(stateLabel(info.from) + " → " + stateLabel(info.to));
      if (info.reason) parts.push(reasonLabel(info.reason));
      if (typeof info.rating === "number") parts.push(info.rating + "/5" + (info.comment ? " “" + info.comment + "”" : ""));
      if (info.agent) parts.push(TEXT.cs + " " + info.agent);
      if (event.actor) parts.push(String(event.actor));
      var time = wib(event.created_at);
      listNode.appendChild(
        el("li", {}, [
          time ? el("time", { datetime: event.created_at, text: time }) : null,
          el("span", { text: (time ? " · " : "") + parts.filter(Boolean).join(" · ") }),
        ])
      );
    });
  }

  function entriesOf(data) {
    var entries = [];
    (Array.isArray(data.messages) ? data.messages : []).forEach(function (message) {
      entries.push({ kind: "message", item: message });
    });
    (Array.isArray(data.notes) ? data.notes : []).forEach(function (note) {
      entries.push({ kind: "note", item: note });
    });
    entries.sort(function (a, b) {
      var ta = new Date(a.item.created_at).getTime() || 0;
      var tb = new Date(b.item.created_at).getTime() || 0;
      if (ta !== tb) return ta - tb;
      if (a.kind !== b.kind) return a.kind === "message" ? -1 : 1;
      return (Number(a.item.id) || 0) - (Number(b.item.id) || 0);
    });
    return entries;
  }

  function nearBottom(node) {
    return node.scrollHeight - node.scrollTop - node.clientHeight < 80;
  }

  function renderTranscript(scroll) {
    var log = $("transcript");
    var stick = scroll || nearBottom(log);
    clear(log);
    shownMessages = new Set();
    shownNotes = new Set();
    entriesOf(detail).forEach(function (entry) {
      log.appendChild(entry.kind === "note" ? noteNode(entry.item) : messageNode(entry.item));
    });
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function mediaLabel(contentType) {
    contentType = String(contentType || "");
    if (contentType.indexOf("image/") === 0) return TEXT.media.image;
    if (contentType === "application/pdf") return TEXT.media.pdf;
    return TEXT.media.other;
  }

  function messageNode(message) {
    shownMessages.add(String(message.id));
    var kind = authorKind(message.author);
    var time = wib(message.created_at);
    var head = el("p", { class: "who" }, [
      el("span", { class: "author", text: authorLabel(message.author) }),
      time ? el("time", { datetime: message.created_at, text: time }) : null,
    ]);
    var body = el("p", { class: "text", text: message.text === null || message.text === undefined ? "" : message.text });
    var node = el("li", { class: "msg from-" + kind, "data-id": String(message.id) }, [head, body]);
    if (Array.isArray(message.media) && message.media.length) {
      node.appendChild(
        el(
          "p",
          { class: "chips" },
          message.media.map(function (item) {
            return el("span", { class: "chip", text: mediaLabel(item && item.content_type) });
          })
        )
      );
    }
    if (Array.isArray(message.buttons) && message.buttons.length) {
      var titles = message.buttons
        .map(function (button) {
          return button && (button.title || button.payload) ? String(button.title || button.payload) : "";
        })
        .filter(Boolean);
      if (titles.length) node.appendChild(el("p", { class: "chips", text: TEXT.buttons + ": " + titles.join(" · ") }));
    }
    if (message.image) node.appendChild(el("p", { class: "chips", text: TEXT.image + ": " + String(message.image) }));
    return node;
  }

  // Notes have no id in the API: author, time and text identify one (the POST answer and the live frame).
  function noteKey(note) {
    if (note.id !== undefined && note.id !== null) return "id:" + String(note.id);
    var time = new Date(note.created_at).getTime();
    return [note.author || note.agent || "", isNaN(time) ? String(note.created_at) : time, note.text].join("|");
  }

  function noteNode(note) {
    shownNotes.add(noteKey(note));
    var author = note.agent || note.author || note.actor;
    var name = agentName(author);
    var time = wib(note.created_at);
    var head = el("p", { class: "who" }, [
      el("strong", { class: "note-label", text: TEXT.note }),
      name ? el("span", { class: "author", text: name }) : null,
      time ? el("time", { datetime: note.created_at, text: time }) : null,
    ]);
    return el("li", { class: "msg note" }, [
      head,
      el("p", { class: "text", text: note.text === null || note.text === undefined ? "" : note.text }),
    ]);
  }

  function appendMessage(message) {
    if (!message || message.id === undefined) return;
    live.messages.set(String(message.id), message);
    if (!detail || shownMessages.has(String(message.id))) return;
    detail.messages = (detail.messages || []).concat([message]);
    var log = $("transcript");
    var stick = nearBottom(log) || authorKind(message.author) === "agent";
    log.appendChild(messageNode(message));
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function appendNote(note) {
    if (!note || typeof note !== "object") return;
    live.notes.set(noteKey(note), note);
    if (!detail || shownNotes.has(noteKey(note))) return;
    detail.notes = (detail.notes || []).concat([note]);
    var log = $("transcript");
    log.appendChild(noteNode(note));
    log.scrollTop = log.scrollHeight;
  }

  // --- actions ----------------------------------------------------------------------------------------------
  function afterChange(data, message) {
    if (data && sameId(data.id, openId)) setDetail(data, false);
    if (message) showNotice(message);
    refreshLists();
  }

  function claim(id, button) {
    if (button) button.disabled = true;
    var opening = !sameId(id, openId);
    openId = String(id);
    unread.delete(openId);
    if (opening) {
      detail = null;
      resetLive();
    }
    return api("POST", "/conversations/" + encodeURIComponent(id) + "/claim")
      .then(function (data) {
        setMode("reply");
        afterChange(data, TEXT.claimed);
        if (view === "queue") selectTab("mine", false);
        $("composer-text").focus();
      })
      .catch(function (error) {
        complain(error);
        if (button) button.disabled = false;
        loadDetail(true);
        refreshLists();
      });
  }

  $("act-claim").addEventListener("click", function () {
    if (openId !== null) claim(openId, $("act-claim"));
  });

  $("act-release").addEventListener("click", function () {
    if (openId === null) return;
    var button = $("act-release");
    button.disabled = true;
    api("POST", "/conversations/" + encodeURIComponent(openId) + "/release")
      .then(function (data) {
        afterChange(data, TEXT.released);
      })
      .catch(function (error) {
        complain(error);
        loadDetail(false);
      })
      .then(renderControls);
  });

  function setMode(next) {
    mode = next;
    renderControls();
  }

  $("mode-reply").addEventListener("click", function () {
    setMode("reply");
    $("composer-text").focus();
  });
  $("mode-note").addEventListener("click", function () {
    setMode("note");
    $("composer-text").focus();
  });

  function submitComposer() {
    var box = $("composer-text");
    var text = box.value;
    if (!text.trim() || !detail || sending) return;
    var can = allowed();
    var noteMode = mode === "note";
    if (noteMode ? !can.note : !can.reply) {
      renderControls();
      return;
    }
    var id = openId;
    sending = true;
    renderControls();
    api("POST", "/conversations/" + encodeURIComponent(id) + (noteMode ? "/notes" : "/messages"), { text: text })
      .then(function (saved) {
        if (box.value === text) box.value = "";
        if (!sameId(id, openId)) return;
        if (saved && Array.isArray(saved.messages)) setDetail(saved, true); // the conversation's detail
        else if (noteMode && saved && saved.text !== undefined) appendNote(saved);
        else if (!noteMode && saved && typeof saved.id === "number") appendMessage(saved);
        else loadDetail(true);
      })
      .catch(complain)
      .then(function () {
        sending = false;
        renderControls();
      });
  }

  $("composer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    submitComposer();
  });
  $("composer-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitComposer();
    }
  });

  // --- canned replies ---------------------------------------------------------------------------------------
  function clearCanned() {
    cannedSeq += 1;
    window.clearTimeout(cannedTimer);
    clear($("canned-results"));
    $("canned-status").textContent = "";
  }

  function insertIntoComposer(text) {
    var box = $("composer-text");
    var start = typeof box.selectionStart === "number" ? box.selectionStart : box.value.length;
    var end = typeof box.selectionEnd === "number" ? box.selectionEnd : box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    var caret = start + text.length;
    box.focus();
    box.setSelectionRange(caret, caret);
  }

  function renderCanned(items) {
    var results = $("canned-results");
    clear(results);
    if (!items.length) {
      results.appendChild(el("li", { class: "canned-none", text: TEXT.cannedNone }));
      $("canned-status").textContent = TEXT.cannedNone;
      return;
    }
    $("canned-status").textContent = TEXT.cannedCount(items.length);
    items.forEach(function (item) {
      var text = item && item.text !== undefined && item.text !== null ? String(item.text) : "";
      var button = el("button", { type: "button", class: "canned-item" }, [
        el("span", { class: "canned-title", text: item.title || "" }),
        el("span", { class: "canned-text", text: text.length > 160 ? text.slice(0, 160) + "…" : text }),
        item.source ? el("span", { class: "canned-source", text: String(item.source) }) : null,
      ]);
      button.addEventListener("click", function () {
        insertIntoComposer(text);
      });
      results.appendChild(el("li", {}, [button]));
    });
  }

  $("canned-search").addEventListener("input", function () {
    var query = $("canned-search").value.trim();
    clearCanned();
    if (!query) return;
    var seq = cannedSeq;
    cannedTimer = window.setTimeout(function () {
      api("GET", "/canned?q=" + encodeURIComponent(query))
        .then(function (items) {
          if (seq === cannedSeq) renderCanned(Array.isArray(items) ? items : []);
        })
        .catch(function (error) {
          if (seq !== cannedSeq || (error instanceof ApiError && error.status === 401)) return;
          clear($("canned-results"));
          $("canned-results").appendChild(el("li", { class: "canned-none", text: TEXT.cannedUnavailable }));
          $("canned-status").textContent = TEXT.cannedUnavailable;
        });
    }, CANNED_DELAY_MS);
  });
  $("canned-search").addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      $("canned-search").value = "";
      clearCanned();
    }
  });

  // --- dialogs ----------------------------------------------------------------------------------------------
  function dialogError(dialog, text) {
    dialog.querySelector(".form-error").textContent = text || "";
  }

  function openDialog(dialog, focus) {
    dialogError(dialog, "");
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    if (focus) focus.focus();
  }

  function closeDialog(dialog) {
    if (dialog.open && typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  }

  function closeDialogs() {
    Array.prototype.forEach.call(document.querySelectorAll("dialog"), closeDialog);
  }

  Array.prototype.forEach.call(document.querySelectorAll("dialog [data-cancel]"), function (button) {
    button.addEventListener("click", function () {
      closeDialog(button.closest("dialog"));
    });
  });

  // Submits a dialog's form: the request, then close and report, or show the error inside the dialog.
  function submitDialog(dialog, request, done) {
    var submit = dialog.querySelector('button[type="submit"]');
    submit.disabled = true;
    dialogError(dialog, "");
    request()
      .then(function (data) {
        closeDialog(dialog);
        done(data);
      })
      .catch(function (error) {
        if (error instanceof ApiError && error.status === 401) return;
        dialogError(dialog, errorText(error));
      })
      .then(function () {
        submit.disabled = false;
      });
  }

  // Transfer
  $("act-transfer").addEventListener("click", function () {
    if (openId === null) return;
    var dialog = $("dlg-transfer");
    var select = $("transfer-to");
    clear(select);
    select.disabled = true;
    openDialog(dialog, select);
    api("GET", "/agents")
      .then(function (agents) {
        clear(select);
        var holder = detail ? agentUsername(detail.agent) : null;
        var others = (Array.isArray(agents) ? agents : []).filter(function (agent) {
          return agent && agent.username && agent.username !== holder;
        });
        others.sort(function (a, b) {
          return (b.online ? 1 : 0) - (a.online ? 1 : 0) || String(a.name || a.username).localeCompare(String(b.name || b.username));
        });
        others.forEach(function (agent) {
          var label = (agent.name || agent.username) + " (" + agent.username + ") — " + (agent.online ? TEXT.online : TEXT.offline);
          select.appendChild(el("option", { value: agent.username, text: label }));
        });
        select.disabled = !others.length;
        dialog.querySelector('button[type="submit"]').disabled = !others.length;
        dialogError(dialog, others.length ? "" : TEXT.noOtherAgents);
        select.focus();
      })
      .catch(function (error) {
        dialogError(dialog, errorText(error));
      });
  });
  $("form-transfer").addEventListener("submit", function (event) {
    event.preventDefault();
    var dialog = $("dlg-transfer");
    var select = $("transfer-to");
    var to = select.value;
    if (!to || openId === null) return;
    var name = select.options[select.selectedIndex] ? select.options[select.selectedIndex].textContent : to;
    var id = openId;
    submitDialog(
      dialog,
      function () {
        return api("POST", "/conversations/" + encodeURIComponent(id) + "/transfer", { to: to });
      },
      function (data) {
        afterChange(data, TEXT.transferred(name.split(" — ")[0]));
      }
    );
  });

  // Close
  $("act-close").addEventListener("click", function () {
    if (openId === null) return;
    var box = $("close-summary");
    box.value = CLOSING_PREFILL;
    openDialog($("dlg-close"), box);
    box.setSelectionRange(box.value.length, box.value.length);
  });
  $("form-close").addEventListener("submit", function (event) {
    event.preventDefault();
    var dialog = $("dlg-close");
    var summary = $("close-summary").value.trim();
    if (!summary) {
      dialogError(dialog, TEXT.summaryRequired);
      return;
    }
    var id = openId;
    submitDialog(
      dialog,
      function () {
        return api("POST", "/conversations/" + encodeURIComponent(id) + "/close", { summary: summary });
      },
      function (data) {
        afterChange(data, TEXT.closed);
      }
    );
  });

  // Return decisions
  var returnTarget = null; // {number, approve, max}
  function openReturnDialog(item, approve) {
    var reported = typeof item.quantity_reported === "number" ? item.quantity_reported : null;
    returnTarget = { number: String(item.number), approve: approve, max: reported };
    var dialog = $("dlg-return");
    $("dlg-return-title").textContent = approve ? TEXT.approveTitle(item.number) : TEXT.rejectTitle(item.number);
    var facts = [item.item_name, reported !== null ? TEXT.quantity(reported) : null].filter(Boolean);
    $("return-summary").textContent = facts.join(" · ");
    $("return-summary").hidden = !facts.length;
    $("return-approve").hidden = !approve;
    $("return-reject").hidden = approve;
    $("return-outcome").value = "kirim_ulang";
    var quantity = $("return-quantity");
    quantity.value = reported !== null ? String(reported) : "1";
    if (reported !== null) quantity.max = String(reported);
    else quantity.removeAttribute("max");
    $("return-reason").value = "";
    $("return-reason").required = !approve;
    $("return-submit").textContent = approve ? TEXT.approve : TEXT.reject;
    openDialog(dialog, approve ? $("return-outcome") : $("return-reason"));
  }
  $("form-return").addEventListener("submit", function (event) {
    event.preventDefault();
    var target = returnTarget;
    if (!target || !me) return;
    var dialog = $("dlg-return");
    var body = { approve: target.approve, agent: me.username };
    if (target.approve) {
      var quantity = parseInt($("return-quantity").value, 10);
      if (isNaN(quantity) || quantity < 1 || (target.max !== null && quantity > target.max)) {
        dialogError(dialog, TEXT.quantityInvalid(target.max));
        return;
      }
      body.outcome = $("return-outcome").value;
      body.accepted_quantity = quantity;
    } else {
      var reason = $("return-reason").value.trim();
      if (!reason) {
        dialogError(dialog, TEXT.reasonRequired);
        return;
      }
      body.reason = reason;
    }
    submitDialog(
      dialog,
      function () {
        return api("POST", "/returns/" + encodeURIComponent(target.number) + "/decision", body);
      },
      function () {
        showNotice(TEXT.returnSaved);
        loadDetail(false);
      }
    );
  });

  // Complaint ticket steps
  var ticketTarget = null; // {number, step}
  function openTicketDialog(item, step) {
    ticketTarget = { number: String(item.number), step: step };
    $("dlg-ticket-title").textContent = TEXT.ticketTitles[step] + item.number;
    $("ticket-note-label").textContent = TEXT.ticketLabels[step];
    var note = $("ticket-note");
    note.value = "";
    note.required = step !== "closed";
    $("ticket-submit").textContent = step === "answered" ? TEXT.answer : step === "extended" ? TEXT.extend : TEXT.closeTicket;
    openDialog($("dlg-ticket"), note);
  }
  $("form-ticket").addEventListener("submit", function (event) {
    event.preventDefault();
    var target = ticketTarget;
    if (!target || !me) return;
    var dialog = $("dlg-ticket");
    var note = $("ticket-note").value.trim();
    if (!note && target.step !== "closed") {
      dialogError(dialog, TEXT.noteRequired);
      return;
    }
    var body = { step: target.step, agent: me.username, note: note || null };
    submitDialog(
      dialog,
      function () {
        return api("POST", "/complaints/" + encodeURIComponent(target.number) + "/steps", body);
      },
      function () {
        showNotice(TEXT.ticketSaved);
        loadDetail(false);
      }
    );
  });

  // --- the customer column ---------------------------------------------------------------------------------
  function section(title, items, emptyText, render) {
    var list = el("ul", { class: "cases" });
    items.forEach(function (item) {
      if (item && typeof item === "object") list.appendChild(render(item));
    });
    return el("section", { class: "customer-section", "aria-label": title }, [
      el("h3", { text: title }),
      items.length ? list : el("p", { class: "empty", text: emptyText }),
    ]);
  }

  function fact(label, value, cls) {
    if (value === null || value === undefined || value === "") return null;
    return el("span", { class: "fact" + (cls ? " " + cls : "") }, [
      el("span", { class: "sr", text: label + ": " }),
      String(value),
    ]);
  }

  function caseButton(label, describedBy, enabled, handler) {
    var button = el("button", {
      type: "button",
      class: "small",
      text: label,
      "aria-describedby": describedBy,
      "data-key": describedBy + ":" + label,
    });
    button.disabled = !enabled;
    button.addEventListener("click", handler);
    return button;
  }

  function renderCustomer() {
    rebuild($("customer-body"), buildCustomer);
  }

  function buildCustomer() {
    var body = $("customer-body");
    clear(body);
    if (!detail) {
      body.appendChild(el("p", { class: "empty", text: TEXT.noCustomer }));
      return;
    }
    var customer =
      detail.customer_context && typeof detail.customer_context === "object"
        ? detail.customer_context
        : detail.customer && typeof detail.customer === "object"
          ? detail.customer
          : {};
    body.appendChild(
      el("p", { class: "customer-id" }, [
        el("span", { class: "badge channel-" + String(detail.channel || "other"), text: channelLabel(detail.channel) }),
        " ",
        el("span", { text: customerLabel(detail) }),
      ])
    );
    if (customer.name) body.appendChild(el("p", { class: "customer-name", text: String(customer.name) }));
    var phones = Array.isArray(customer.phones) ? customer.phones.filter(Boolean) : [];
    if (phones.length) body.appendChild(el("p", { class: "customer-name", text: TEXT.phones + ": " + phones.join(", ") }));

    var orders = Array.isArray(customer.orders) ? customer.orders : [];
    var orderSection = section(TEXT.orders, orders, TEXT.noOrders, function (order) {
      var items = Array.isArray(order.items) ? order.items.filter(Boolean).map(String) : [];
      return el("li", { class: "case" }, [
        el("span", { class: "case-id", text: String(order.id || "") }),
        el("span", { class: "case-facts" }, [
          fact("Status", order.status, "status"),
          fact("Platform", brandLabel(order.platform || order.brand)),
        ]),
        items.length ? el("span", { class: "case-items", text: items.join(", ") }) : null,
      ]);
    });
    if (customer.orders_error) orderSection.appendChild(el("p", { class: "form-error", text: TEXT.ordersUnavailable }));
    body.appendChild(orderSection);

    var returns = Array.isArray(customer.returns) ? customer.returns : [];
    body.appendChild(
      section(TEXT.returns, returns, TEXT.noReturns, function (item) {
        var idNode = "case-rtr-" + String(item.number).replace(/[^A-Za-z0-9_-]/g, "");
        var decidable = item.status === "diajukan";
        return el("li", { class: "case" }, [
          el("span", { class: "case-id", id: idNode, text: String(item.number || "") }),
          el("span", { class: "case-facts" }, [
            fact("Status", item.status, "status"),
            fact("Barang", item.item_name),
            typeof item.quantity_reported === "number" ? fact("Jumlah", TEXT.quantity(item.quantity_reported)) : null,
          ]),
          el("span", { class: "case-actions" }, [
            caseButton(TEXT.approve, idNode, decidable, function () {
              openReturnDialog(item, true);
            }),
            caseButton(TEXT.reject, idNode, decidable, function () {
              openReturnDialog(item, false);
            }),
          ]),
        ]);
      })
    );

    var tickets = Array.isArray(customer.tickets) ? customer.tickets : Array.isArray(customer.complaints) ? customer.complaints : [];
    body.appendChild(
      section(TEXT.tickets, tickets, TEXT.noTickets, function (ticket) {
        var idNode = "case-pgd-" + String(ticket.number).replace(/[^A-Za-z0-9_-]/g, "");
        var open = OPEN_TICKET.indexOf(ticket.status) >= 0;
        var extendable = open && ticket.status !== "diperpanjang" && !ticket.extended;
        var closable = ticket.status !== "selesai";
        return el("li", { class: "case" + (ticket.near_deadline ? " near" : "") }, [
          el("span", { class: "case-id", id: idNode, text: String(ticket.number || "") }),
          el("span", { class: "case-facts" }, [
            fact("Status", ticket.status, "status"),
            fact("Kategori", ticket.category),
            ticket.due_date ? fact(TEXT.due, TEXT.due + " " + wibDate(ticket.due_date)) : null,
            ticket.breached
              ? el("span", { class: "flag flag-breached", text: TEXT.breached })
              : ticket.near_deadline
                ? el("span", { class: "flag flag-near", text: TEXT.nearDeadline })
                : null,
          ]),
          el("span", { class: "case-actions" }, [
            caseButton(TEXT.answer, idNode, open || ticket.status === "dijawab", function () {
              openTicketDialog(ticket, "answered");
            }),
            caseButton(TEXT.extend, idNode, extendable, function () {
              openTicketDialog(ticket, "extended");
            }),
            caseButton(TEXT.closeTicket, idNode, closable, function () {
              openTicketDialog(ticket, "closed");
            }),
          ]),
        ]);
      })
    );
  }

  // --- live updates -----------------------------------------------------------------------------------------
  function setConnection(connected) {
    var node = $("connection");
    node.textContent = connected ? TEXT.connected : everConnected ? TEXT.reconnecting : TEXT.connecting;
    node.classList.toggle("online", connected);
  }

  function onFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "queue") {
      refreshListsSoon();
    } else if (frame.type === "conversation") {
      if (detail && sameId(frame.id, openId)) {
        if (frame.state) detail.state = frame.state;
        if (frame.agent !== undefined && frame.agent !== detail.agent) {
          detail.agent = frame.agent;
          detail.agent_name = null; // the detail reloaded next has the display name
        }
        renderChat(false);
        loadDetailSoon();
      }
      refreshListsSoon();
    } else if (frame.type === "note") {
      if (frame.note && sameId(frame.conversation_id, openId)) appendNote(frame.note);
    } else if (frame.type === "message") {
      var message = frame.message;
      var id = frame.conversation_id;
      if (id === undefined || id === null || !message) return;
      var summary = findSummary(id);
      [lists.queue, lists.mine, lists.active].forEach(function (list) {
        list.forEach(function (item) {
          if (sameId(item.id, id)) item.last_message = { text: message.text, author: message.author, created_at: message.created_at };
        });
      });
      if (sameId(id, openId)) {
        appendMessage(message);
      } else if (authorKind(message.author) === "customer") {
        unread.add(String(id));
      }
      if (summary) renderList();
    }
  }

  function connectSocket() {
    socketTimer = null;
    if (!me) return;
    setConnection(false);
    var url = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + "/ws/agent";
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      reconnectLater();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      if (ws !== socket) return;
      socketAttempt = 0;
      var again = everConnected;
      everConnected = true;
      setConnection(true);
      if (again) {
        // Frames may have been missed while away.
        refreshLists();
        if (openId !== null) loadDetail(false);
      }
    };
    ws.onmessage = function (event) {
      if (ws !== socket) return;
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      onFrame(frame);
    };
    ws.onclose = function () {
      if (ws !== socket) return;
      socket = null;
      everConnected = true;
      setConnection(false);
      reconnectLater();
    };
  }

  // 0.5 s, 1 s, 2 s, … up to 10 s with ±25 % jitter; before each new try the session is checked, so an
  // expired session brings back the login form instead of retrying forever.
  function reconnectLater() {
    if (socketTimer || !me) return;
    var base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, socketAttempt));
    var delay = Math.min(RETRY_MAX_MS, base * (0.75 + Math.random() * 0.5));
    socketAttempt += 1;
    socketTimer = window.setTimeout(function () {
      socketTimer = null;
      api("GET", "/me")
        .then(function (session) {
          if (!me) return;
          if (session && session.csrf_token) csrf = session.csrf_token;
          connectSocket();
        })
        .catch(function (error) {
          if (me && !(error instanceof ApiError && error.status === 401)) reconnectLater();
        });
    }, delay);
  }

  function stopSocket() {
    window.clearTimeout(socketTimer);
    socketTimer = null;
    socketAttempt = 0;
    everConnected = false;
    var ws = socket;
    socket = null;
    if (ws) {
      try {
        ws.close();
      } catch (e) {
        /* already closed */
      }
    }
  }

  window.setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
  }, PING_MS);

  window.addEventListener("online", function () {
    if (socketTimer && me) {
      window.clearTimeout(socketTimer);
      socketTimer = null;
      connectSocket();
    }
  });

  // --- start -------------------------------------------------------------------------------------------------
  api("GET", "/me")
    .then(function (session) {
      if (session && session.agent) startConsole(session);
      else showLogin();
    })
    .catch(function (error) {
      showLogin(error instanceof ApiError && error.status === 401 ? "" : errorText(error));
    });
})();
