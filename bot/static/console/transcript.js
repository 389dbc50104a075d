/*
 * The open conversation: its detail (loaded, merged with what arrived live), the header, the events and the
 * transcript of messages and internal notes.
 */
import { authorKind, el } from "../shared/common.js";
import { api, complain } from "./api.js";
import { renderCustomer } from "./cases.js";
import { clearCanned, renderControls } from "./composer.js";
import { renderList } from "./queue.js";
import { $, agentName, authorLabel, clear, customerLabel, resetLive, sameId, state } from "./state.js";
import { EVENTS, TEXT, brandLabel, channelLabel, reasonLabel, stateLabel, wib } from "./text.js";

var detailTimer = null;
var shownMessages = new Set();
var shownNotes = new Set();

export function openConversation(id) {
  var changed = !sameId(id, state.openId);
  state.openId = String(id);
  state.unread.delete(state.openId);
  if (changed) {
    state.detail = null;
    resetLive();
    $("canned-search").value = "";
    clearCanned();
  }
  renderList();
  return loadDetail(changed);
}

export function loadDetail(scroll) {
  var id = state.openId;
  if (id === null) return Promise.resolve();
  return api("GET", "/conversations/" + encodeURIComponent(id))
    .then(function (data) {
      if (!sameId(id, state.openId)) return;
      setDetail(data, scroll);
    })
    .catch(complain);
}

export function loadDetailSoon() {
  window.clearTimeout(detailTimer);
  detailTimer = window.setTimeout(function () {
    loadDetail(false);
  }, 200);
}

function mergeLive(data) {
  var messages = Array.isArray(data.messages) ? data.messages.slice() : [];
  var ids = new Set(
    messages.map(function (message) {
      return String(message.id);
    })
  );
  state.live.messages.forEach(function (message, id) {
    if (!ids.has(id)) messages.push(message);
  });
  messages.sort(function (a, b) {
    return (Number(a.id) || 0) - (Number(b.id) || 0);
  });
  var notes = Array.isArray(data.notes) ? data.notes.slice() : [];
  var keys = new Set(notes.map(noteKey));
  state.live.notes.forEach(function (note, key) {
    if (!keys.has(key)) notes.push(note);
  });
  data.messages = messages;
  data.notes = notes;
  return data;
}

export function setDetail(data, scroll) {
  if (!data || !sameId(data.id, state.openId)) return;
  state.detail = mergeLive(data);
  renderChat(scroll);
  renderCustomer();
}

export function renderChat(scroll) {
  var detail = state.detail;
  var hasDetail = !!detail;
  $("no-selection").hidden = hasDetail || state.openId !== null;
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

function renderEvents() {
  var detail = state.detail;
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
  entriesOf(state.detail).forEach(function (entry) {
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

export function appendMessage(message) {
  if (!message || message.id === undefined) return;
  state.live.messages.set(String(message.id), message);
  if (!state.detail || shownMessages.has(String(message.id))) return;
  state.detail.messages = (state.detail.messages || []).concat([message]);
  var log = $("transcript");
  var stick = nearBottom(log) || authorKind(message.author) === "agent";
  log.appendChild(messageNode(message));
  if (stick) log.scrollTop = log.scrollHeight;
}

export function appendNote(note) {
  if (!note || typeof note !== "object") return;
  state.live.notes.set(noteKey(note), note);
  if (!state.detail || shownNotes.has(noteKey(note))) return;
  state.detail.notes = (state.detail.notes || []).concat([note]);
  var log = $("transcript");
  log.appendChild(noteNode(note));
  log.scrollTop = log.scrollHeight;
}

