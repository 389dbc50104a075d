/*
 * Asisten CS — the embeddable live-chat widget. Plain JavaScript: no build step, no dependencies. The gateway
 * serves this file with bot/static/shared/common.js pasted in (see "@inline" below): still one classic script.
 *
 *   <script src="https://<gateway>/widget.js" data-server="https://<gateway>" data-brand="aksestoko" async></script>
 *
 * data-server: the gateway's origin (empty: the page's own origin). data-brand: the platform (optional).
 * Everything is drawn inside a Shadow DOM. Message content is only ever set with textContent; links and
 * images are built with createElement and only for http(s) URLs. The WebSocket protocol is documented in
 * bot/channels/webchat.py (uploads: widget_files.py). Nothing is global but window.AsistenCSWidget ({open, close}).
 */
(function () {
  "use strict";
  if (window.AsistenCSWidget) return; // embedded twice

  var script =
    document.currentScript ||
    (function () {
      var tags = document.querySelectorAll('script[src*="widget.js"]');
      return tags[tags.length - 1];
    })();
  var dataset = (script && script.dataset) || {};
  var server = ((dataset.server || "").trim() || window.location.origin).replace(/\/+$/, "");
  var brand = (dataset.brand || "").trim() || null;
  var socketUrl = server.replace(/^http/i, "ws") + "/ws/chat";
  var storeKey = "asisten-cs:" + server + ":" + (brand || "-");

  var MAX_TEXT = 4000;
  var MAX_FILE_BYTES = 10 * 1000 * 1000; // the gateway's EVIDENCE_MAX_BYTES default
  var IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"];
  var TEXT = {
    launcher: "Chat dengan kami",
    greeting: "Halo Kak! 👋 Saya Asisten CS. Ada yang bisa saya bantu? Pilih salah satu di bawah, atau tulis saja pertanyaan Kakak.",
    // Sent as the customer's own words when tapped: NLU reads them like anything typed.
    starters: ["Cek status pesanan", "Ajukan retur barang", "Buat pengaduan", "Bicara dengan CS"],
    title: "Asisten CS",
    dialog: "Chat dengan Asisten CS",
    close: "Tutup chat",
    log: "Percakapan dengan Asisten CS",
    input: "Tulis pesan",
    placeholder: "Tulis pesan…",
    send: "Kirim",
    attach: "Lampirkan foto",
    connecting: "Menghubungkan…",
    reconnecting: "Menghubungkan ulang…",
    typing: "CS sedang mengetik…",
    uploading: "Mengunggah foto…",
    sending: "Mengirim…",
    failed: "Tidak terkirim",
    photo: "Foto",
    document: "Dokumen",
    attachment: "Lampiran",
    botImage: "Gambar dari Asisten CS",
    myPhoto: "Foto yang Kakak kirim",
    you: "Kakak",
    agent: "CS",
    waitingAgent: "Menunggu CS…",
    withAgent: "Kakak sedang terhubung dengan CS",
    tooLong: "Maaf Kak, pesannya terlalu panjang (maksimal 4000 karakter). Boleh dipersingkat dulu?",
    badType: "Maaf Kak, yang bisa dikirim hanya foto JPG, PNG atau WebP ya.",
    tooBig: "Maaf Kak, fotonya terlalu besar (maksimal 10 MB). Boleh dikirim yang lebih kecil?",
    notReady: "Maaf Kak, chat belum tersambung. Coba kirim fotonya lagi sebentar lagi ya.",
    uploadFailed: "Maaf Kak, fotonya belum berhasil diunggah. Silakan coba lagi ya.",
    tooFast: "Maaf Kak, terlalu banyak berkas dalam waktu singkat. Mohon tunggu sebentar, lalu coba lagi ya.",
  };

  // --- storage (localStorage when allowed, else memory for this page) -----------------------------------
  var memory = {};
  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(storeKey + ":" + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memory, name) ? memory[name] : fallback;
    }
  }
  function save(name, value) {
    memory[name] = value;
    try {
      window.localStorage.setItem(storeKey + ":" + name, JSON.stringify(value));
    } catch (e) {
      /* private mode or quota: memory only */
    }
  }

  function newClientId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function isHttpUrl(value) {
    if (typeof value !== "string") return false;
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch (e) {
      return false;
    }
  }

  // --- helpers shared with the agent console: el() (nothing is ever parsed as HTML), authorKind() and the
  // reconnect backoff, from bot/static/shared/common.js, pasted in by the gateway (bot/channels/widget_assets.py)
  // @inline shared/common.js

  // Icons are drawn, not emoji: a page may have no emoji font.
  var ICONS = {
    chat: "M4 5h16v11H9l-5 4z",
    clip: "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5",
  };
  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  var URL_PATTERN = /https?:\/\/[^\s<>"]+/gi;
  // Text with its http(s) URLs as links; everything else stays text nodes.
  function appendText(parent, text) {
    text = text === null || text === undefined ? "" : String(text);
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var href = match[0].replace(/[.,;:!?)\]}'"]+$/, "");
      if (!href || !isHttpUrl(href)) continue;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" });
      link.textContent = href;
      parent.appendChild(link);
      last = match.index + href.length;
      URL_PATTERN.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; }",
    ".root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2933; }",
    "button, textarea { font: inherit; }",
    ".icon { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }",
    ":focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }",
    ".launcher { display: flex; align-items: center; gap: 8px; border: 0; border-radius: 999px; padding: 12px 18px; background: #0b6e4f; color: #fff; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); position: relative; }",
    ".launcher:hover { background: #095c42; }",
    ".launcher .dot { display: none; position: absolute; top: 4px; right: 6px; width: 10px; height: 10px; border-radius: 50%; background: #e02424; }",
    ".launcher.unread .dot { display: block; }",
    ".panel { position: absolute; right: 0; bottom: 64px; width: 360px; height: 540px; max-height: calc(100vh - 100px); display: flex; flex-direction: column; background: #fff; border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.3); overflow: hidden; }",
    ".panel[hidden] { display: none; }",
    ".head { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px; background: #0b6e4f; color: #fff; }",
    ".head h2 { margin: 0; font-size: 16px; }",
    ".close { border: 0; background: transparent; color: #fff; font-size: 24px; line-height: 1; width: 36px; height: 36px; border-radius: 8px; cursor: pointer; }",
    ".close:hover { background: rgba(255,255,255,.15); }",
    ".status { margin: 0; padding: 6px 16px; font-size: 13px; background: #fff4d6; color: #6b4e00; }",
    ".status:empty { display: none; }",
    ".handoff { margin: 0; padding: 6px 16px; font-size: 13px; background: #e6f4ee; color: #0b4d37; border-bottom: 1px solid #cde8db; }",
    ".handoff:empty { display: none; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f5f7fa; }",
    ".msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".msg.bot, .msg.agent, .msg.system, .msg.greeting { align-self: flex-start; background: #fff; border: 1px solid #e4e7eb; }",
    ".from { display: block; margin-bottom: 2px; font-size: 12px; font-weight: 700; color: #0b6e4f; }",
    ".msg.me { align-self: flex-end; background: #d9f2e6; }",
    ".msg.pending { opacity: .7; }",
    ".msg.failed { background: #fde8e8; }",
    ".msg a { color: #0b5cad; }",
    ".msg img { display: block; min-width: 64px; max-width: 100%; max-height: 220px; margin-top: 6px; border-radius: 8px; }",
    ".meta { display: block; margin-top: 4px; font-size: 11px; color: #52606d; }",
    ".chip { display: flex; align-items: center; gap: 4px; margin-top: 4px; font-size: 13px; color: #334e68; white-space: normal; }",
    ".chip .icon { width: 14px; height: 14px; }",
    ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    ".notice { align-self: center; max-width: 90%; font-size: 13px; color: #8a1c1c; background: #fde8e8; padding: 6px 10px; border-radius: 8px; }",
    ".quick { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; }",
    ".quick button { border: 1px solid #0b6e4f; background: #fff; color: #0b6e4f; border-radius: 999px; padding: 6px 12px; cursor: pointer; }",
    ".quick button:hover { background: #e6f4ee; }",
    ".typing { margin: 0; padding: 4px 16px; font-size: 13px; color: #52606d; font-style: italic; }",
    ".typing[hidden] { display: none; }",
    ".composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px; border-top: 1px solid #e4e7eb; }",
    ".composer textarea { flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 9px 10px; border: 1px solid #9aa5b1; border-radius: 10px; }",
    ".attach, .send { border: 0; border-radius: 10px; height: 40px; cursor: pointer; }",
    ".attach { width: 40px; display: flex; align-items: center; justify-content: center; background: #e4e7eb; color: #1f2933; }",
    ".send { padding: 0 14px; background: #0b6e4f; color: #fff; font-weight: 600; }",
    ".send:disabled, .attach:disabled { opacity: .5; cursor: default; }",
    "@media (max-width: 480px) {",
    "  .root { right: 12px; bottom: 12px; }",
    // Full screen, sized to the visual viewport (the part the on-screen keyboard leaves; set from JS) and
    // clear of notches and the home bar; the launcher hides, so nothing covers the composer.
    "  .panel { position: fixed; left: 0; right: 0; top: var(--acs-top, 0px); bottom: auto; width: 100%; height: var(--acs-height, 100%); max-height: none; border-radius: 0; padding: 0 env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left); }",
    "  .head { padding-top: calc(12px + env(safe-area-inset-top)); }",
    "  .root.open .launcher { display: none; }",
    "}",
  ].join("\n");

  // --- the widget's DOM ---------------------------------------------------------------------------------
  var host = el("div", { id: "asisten-cs-widget" });
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = CSS;

  var launcher = el("button", {
    class: "launcher",
    type: "button",
    "aria-haspopup": "dialog",
    "aria-expanded": "false",
    "aria-controls": "acs-panel",
  }, [icon("chat"), el("span", { text: TEXT.launcher }), el("span", { class: "dot", "aria-hidden": "true" })]);
  var closeButton = el("button", { class: "close", type: "button", "aria-label": TEXT.close, text: "×" });
  var status = el("p", { class: "status", role: "status" });
  var handoff = el("p", { class: "handoff", role: "status" }); // who answers: waiting for CS, or which CS
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0" });
  var typing = el("p", { class: "typing", "aria-live": "polite", hidden: true, text: TEXT.typing });
  var fileInput = el("input", { type: "file", accept: IMAGE_TYPES.join(","), hidden: true, tabindex: "-1" });
  var attachButton = el("button", { class: "attach", type: "button", "aria-label": TEXT.attach, title: TEXT.attach }, [icon("clip")]);
  var input = el("textarea", { rows: "1", "aria-label": TEXT.input, placeholder: TEXT.placeholder, maxlength: String(MAX_TEXT) });
  var sendButton = el("button", { class: "send", type: "submit", text: TEXT.send });
  var composer = el("form", { class: "composer" }, [attachButton, fileInput, input, sendButton]);
  var panel = el("section", { class: "panel", id: "acs-panel", role: "dialog", "aria-label": TEXT.dialog, hidden: true }, [
    el("div", { class: "head" }, [el("h2", { text: TEXT.title }), closeButton]),
    handoff,
    status,
    log,
    typing,
    composer,
  ]);
  shadow.appendChild(style);
  var root = el("div", { class: "root" }, [panel, launcher]);
  shadow.appendChild(root);

  // --- state --------------------------------------------------------------------------------------------
  var token = load("token", null);
  var queue = load("queue", []); // messages not acknowledged yet: {client_id, text, media, preview?}
  if (!Array.isArray(queue)) queue = [];
  var lastSeen = 0; // the highest message id the server sent us on this page
  var shown = new Set(); // ids of stored messages on screen
  var pending = new Map(); // client_id -> bubble of a message not acknowledged yet
  var previews = new Map(); // client_id -> object URL of a photo picked on this page
  var socket = null;
  var welcomed = false;
  var retry = createRetry();
  var quickReplies = null;

  function setStatus(text) {
    status.textContent = text || "";
  }

  // The conversation's state from the gateway ("state" frames, and the welcome after a reload): while
  // the customer waits for or talks with a human, a line under the header says so.
  function applyState(state, agent) {
    var text = "";
    if (state === "waiting_agent") text = TEXT.waitingAgent;
    else if (state === "with_agent") {
      text = TEXT.withAgent + (typeof agent === "string" && agent.trim() ? " " + agent.trim() : "");
    }
    if (handoff.textContent !== text) handoff.textContent = text;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function clearQuickReplies() {
    if (quickReplies) quickReplies.remove();
    quickReplies = null;
  }

  function showQuickReplies(buttons) {
    clearQuickReplies();
    var box = el("div", { class: "quick" });
    buttons.forEach(function (button) {
      if (!button || (button.title === undefined && button.payload === undefined)) return;
      var title = String(button.title !== undefined ? button.title : button.payload);
      var choice = el("button", { type: "button" });
      choice.textContent = title;
      // The title is what the customer sees and what is stored; the gateway turns a title the bot just
      // offered into its payload for Rasa (bot/router.py, choose_button).
      choice.addEventListener("click", function () {
        send(title, []);
        input.focus();
      });
      box.appendChild(choice);
    });
    if (!box.childNodes.length) return;
    quickReplies = box;
    log.appendChild(box);
  }

  function notice(text) {
    log.appendChild(el("p", { class: "notice", text: text }));
    scrollToEnd();
  }

  function timeOf(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  }

  function attachmentLabel(contentType) {
    if (/^image\//.test(contentType || "")) return TEXT.photo;
    if (contentType === "application/pdf") return TEXT.document;
    return TEXT.attachment;
  }

  function bubbleFor(author, text, media, preview) {
    var kind = authorKind(author);
    if (kind === "customer") kind = "me"; // the bubble's class: the customer's own messages on the right
    var mine = kind === "me";
    var who = mine ? TEXT.you : kind === "agent" ? TEXT.agent : TEXT.title;
    var bubble = el("div", { class: "msg " + kind });
    if (kind === "agent") bubble.appendChild(el("span", { class: "from", text: TEXT.agent }));
    else bubble.appendChild(el("span", { class: "sr", text: who + ": " }));
    var body = el("span", { class: "text" });
    appendText(body, text);
    bubble.appendChild(body);
    (media || []).forEach(function (item) {
      bubble.appendChild(el("span", { class: "chip" }, [icon("clip"), el("span", { text: attachmentLabel(item && item.content_type) })]));
    });
    if (preview) bubble.appendChild(el("img", { src: preview, alt: TEXT.myPhoto }));
    return bubble;
  }

  // A stored message from the server (history or a live push): shown once, in the order received.
  function addStored(view, live) {
    if (!view || typeof view.id !== "number" || shown.has(view.id)) return;
    shown.add(view.id);
    lastSeen = Math.max(lastSeen, view.id);
    var mine = view.author === "customer";
    if (mine) clearQuickReplies();
    var bubble = bubbleFor(view.author, view.text, mine ? view.media : null, null);
    bubble.setAttribute("data-id", String(view.id));
    if (!mine && isHttpUrl(view.image)) {
      bubble.appendChild(el("img", { src: view.image, alt: TEXT.botImage, loading: "lazy", referrerpolicy: "no-referrer" }));
    }
    var time = timeOf(view.created_at);
    if (time) bubble.appendChild(el("time", { class: "meta", datetime: view.created_at, text: time }));
    log.appendChild(bubble);
    if (!mine && Array.isArray(view.buttons) && view.buttons.length) showQuickReplies(view.buttons);
    else if (quickReplies) log.appendChild(quickReplies); // keep the choices under the newest message
    if (live && !mine && panel.hidden) launcher.classList.add("unread");
    scrollToEnd();
  }

  function showPending(item) {
    if (pending.has(item.client_id)) return;
    var bubble = bubbleFor("customer", item.text, item.media, previews.get(item.client_id));
    bubble.classList.add("pending");
    bubble.setAttribute("data-client-id", item.client_id);
    bubble.appendChild(el("span", { class: "meta state", text: TEXT.sending }));
    pending.set(item.client_id, bubble);
    clearQuickReplies();
    log.appendChild(bubble);
    scrollToEnd();
  }

  function forget(clientId) {
    queue = queue.filter(function (item) {
      return item.client_id !== clientId;
    });
    save("queue", queue);
  }

  function transmit(item) {
    if (!socket || !welcomed || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify({ type: "message", client_id: item.client_id, text: item.text, media: item.media }));
    return true;
  }

  // Too many messages too fast: the gateway stored nothing; the message stays queued and goes again later.
  function resendLater(clientId, seconds) {
    var wait = Math.min(300, Math.max(1, Number(seconds) || 30)) * 1000;
    window.setTimeout(function () {
      var item = queue.find(function (queued) {
        return queued.client_id === clientId;
      });
      if (item && !transmit(item)) ensureConnected();
    }, wait);
  }

  function send(text, media) {
    var item = { client_id: newClientId(), text: text, media: media || [] };
    queue.push(item);
    save("queue", queue);
    showPending(item);
    if (!transmit(item)) ensureConnected();
    return item;
  }

  // --- the connection -----------------------------------------------------------------------------------
  function onFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "welcome") {
      if (typeof frame.token === "string") {
        token = frame.token;
        save("token", token);
      }
      welcomed = true;
      retry.attempts = 0;
      setStatus("");
      if (typeof frame.state === "string") applyState(frame.state, frame.agent);
      (frame.history || []).forEach(function (view) {
        addStored(view, false);
      });
      queue.forEach(function (item) {
        showPending(item);
        transmit(item); // resent until acknowledged; the gateway stores and answers it once
      });
    } else if (frame.type === "ack") {
      var bubble = pending.get(frame.client_id);
      pending.delete(frame.client_id);
      forget(frame.client_id);
      if (bubble) {
        if (shown.has(frame.id)) {
          bubble.remove(); // already on screen from the history
        } else {
          shown.add(frame.id);
          bubble.classList.remove("pending");
          bubble.setAttribute("data-id", String(frame.id));
          var state = bubble.querySelector(".state");
          if (state) state.remove();
          var now = new Date();
          bubble.appendChild(el("time", { class: "meta", datetime: now.toISOString(), text: timeOf(now.toISOString()) }));
        }
      }
    } else if (frame.type === "message") {
      addStored(frame, true);
    } else if (frame.type === "state") {
      applyState(frame.state, frame.agent);
    } else if (frame.type === "typing") {
      typing.hidden = !frame.on;
      if (frame.on) scrollToEnd();
    } else if (frame.type === "error") {
      if (frame.code === "rate_limited" && typeof frame.client_id === "string" && pending.has(frame.client_id)) {
        resendLater(frame.client_id, frame.retry_after);
      } else if (typeof frame.client_id === "string") {
        var failed = pending.get(frame.client_id);
        pending.delete(frame.client_id);
        forget(frame.client_id);
        if (failed) {
          failed.classList.remove("pending");
          failed.classList.add("failed");
          var label = failed.querySelector(".state");
          if (label) label.textContent = TEXT.failed;
        }
      }
      if (typeof frame.text === "string") notice(frame.text);
    }
  }

  function connect() {
    welcomed = false;
    setStatus(retry.attempts === 0 ? TEXT.connecting : TEXT.reconnecting);
    var ws;
    try {
      ws = new WebSocket(socketUrl);
    } catch (e) {
      retryLater();
      return;
    }
    socket = ws;
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", token: token, brand: brand, after: lastSeen }));
    };
    listenForFrames(
      ws,
      function () {
        return ws === socket;
      },
      onFrame
    );
    ws.onclose = function () {
      if (ws !== socket) return;
      socket = null;
      welcomed = false;
      typing.hidden = true;
      retryLater();
    };
  }

  // 0.5 s, 1 s, 2 s, … up to 10 s, each with ±25 % jitter so that many widgets do not reconnect together.
  function retryLater() {
    if (retry.schedule(connect)) setStatus(TEXT.reconnecting);
  }

  function ensureConnected() {
    if (socket || retry.pending()) return;
    connect();
  }

  window.addEventListener("online", function () {
    if (retry.pending()) {
      retry.cancel();
      connect();
    }
  });

  // --- uploads ------------------------------------------------------------------------------------------
  function upload(file) {
    if (IMAGE_TYPES.indexOf(file.type) < 0) return notice(TEXT.badType);
    if (file.size > MAX_FILE_BYTES) return notice(TEXT.tooBig);
    if (!token || !welcomed) return notice(TEXT.notReady);
    var form = new FormData();
    form.append("file", file, file.name || "foto");
    attachButton.disabled = true;
    setStatus(TEXT.uploading);
    fetch(server + "/api/widget/upload", { method: "POST", headers: { "X-Widget-Token": token }, body: form })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (result) {
        if (result.status !== 201 || !result.body || typeof result.body.url !== "string") {
          var texts = { 413: TEXT.tooBig, 415: TEXT.badType, 429: TEXT.tooFast };
          notice(texts[result.status] || TEXT.uploadFailed);
          return;
        }
        var caption = input.value.trim().slice(0, MAX_TEXT);
        input.value = "";
        var media = [{ url: result.body.url, content_type: result.body.content_type }];
        var item = { client_id: newClientId(), text: caption, media: media };
        previews.set(item.client_id, URL.createObjectURL(file));
        queue.push(item);
        save("queue", queue);
        showPending(item);
        if (!transmit(item)) ensureConnected();
      })
      .catch(function () {
        notice(TEXT.uploadFailed);
      })
      .then(function () {
        attachButton.disabled = false;
        if (status.textContent === TEXT.uploading) setStatus(welcomed ? "" : TEXT.reconnecting);
      });
  }

  // --- open, close, keyboard ----------------------------------------------------------------------------
  // On a phone the keyboard shrinks the visual viewport, not the layout viewport: the full-screen panel
  // follows the visual one so the composer stays above the keyboard.
  function fitViewport() {
    var viewport = window.visualViewport;
    if (!viewport) return;
    root.style.setProperty("--acs-height", viewport.height + "px");
    root.style.setProperty("--acs-top", viewport.offsetTop + "px");
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }

  // A first-time visitor opens on a greeting with the main choices instead of an empty panel.
  var greeted = false;
  function greet() {
    if (greeted || token || queue.length || log.querySelector(".msg")) return;
    greeted = true;
    var bubble = bubbleFor("bot", TEXT.greeting, null, null);
    bubble.className = "msg greeting"; // shown here, not stored: not one of the conversation's messages
    log.appendChild(bubble);
    showQuickReplies(TEXT.starters.map(function (title) {
      return { title: title };
    }));
  }

  function open() {
    panel.hidden = false;
    root.classList.add("open");
    fitViewport();
    greet();
    launcher.setAttribute("aria-expanded", "true");
    launcher.classList.remove("unread");
    ensureConnected();
    scrollToEnd();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : submit();
    }
  });
  function submit() {
    var text = input.value;
    if (!text.trim()) return;
    if (text.length > MAX_TEXT) return notice(TEXT.tooLong);
    input.value = "";
    send(text, []);
  }
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  attachButton.addEventListener("click", function () {
    fileInput.click();
  });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (file) upload(file);
  });

  function mount() {
    document.body.appendChild(host);
    // A returning customer gets the history (and any queued message is sent) at once; a new visitor
    // connects only when the chat is opened.
    if (token || queue.length) connect();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.AsistenCSWidget = Object.freeze({ open: open, close: close });
})();
