/*
 * Writing to the customer or a note for the team: the composer, its mode (reply or internal note), which
 * controls are enabled, and the canned replies searched beside it.
 */
import { el } from "../shared/common.js";
import { ApiError, api, complain } from "./api.js";
import { $, allowed, clear, sameId, state } from "./state.js";
import { TEXT } from "./text.js";
import { appendMessage, appendNote, loadDetail, setDetail } from "./transcript.js";

var CANNED_DELAY_MS = 250;
var mode = "reply";
var sending = false;
var cannedTimer = null;
var cannedSeq = 0;

export function renderControls() {
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
  else if (!can.reply && state.detail) {
    if (state.detail.state === "waiting_agent") hint = TEXT.hintClaimFirst;
    else if (state.detail.state === "with_agent") hint = TEXT.hintNotYours;
    else hint = TEXT.hintNotWithAgent;
  }
  $("composer-hint").textContent = hint;
}

export function setMode(next) {
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
  if (!text.trim() || !state.detail || sending) return;
  var can = allowed();
  var noteMode = mode === "note";
  if (noteMode ? !can.note : !can.reply) {
    renderControls();
    return;
  }
  var id = state.openId;
  sending = true;
  renderControls();
  api("POST", "/conversations/" + encodeURIComponent(id) + (noteMode ? "/notes" : "/messages"), { text: text })
    .then(function (saved) {
      if (box.value === text) box.value = "";
      if (!sameId(id, state.openId)) return;
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
export function clearCanned() {
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

