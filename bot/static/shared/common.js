/*
 * Asisten CS — helpers shared by the agent console and the web widget, written once.
 *
 * The console imports this file as an ES module (/agent/shared/common.js). The widget must stay one classic
 * script that a shop embeds, so the gateway inlines this file into widget.js where the widget has the line
 * "// @inline shared/common.js" (bot/channels/widget_assets.py): every "export " at the start of a line is
 * dropped and the rest is pasted inside the widget's function. Hence the rules for this file: no import, only
 * "export function" and "export var", nothing run at load time, and no name the widget declares itself.
 */

// An element built with createElement: "text" sets textContent, every other attribute is set as a string
// (true: present and empty; false, null, undefined: absent). Children are nodes or strings (text nodes);
// null, undefined and false are skipped. Nothing is ever parsed as HTML.
export function el(tag, attrs, children) {
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

// Who wrote a stored message: "customer", "bot", "agent" (a human CS: "agent:<username>", or "agent" for a
// message sent on a CS decision such as a return's) or "system" (the gateway's own words, and anything else).
export function authorKind(author) {
  author = String(author || "");
  if (author === "customer") return "customer";
  if (author === "bot") return "bot";
  if (author === "agent" || author.indexOf("agent:") === 0) return "agent";
  return "system";
}

export var RETRY_FIRST_MS = 500;
export var RETRY_MAX_MS = 10000;

// The wait before reconnecting a dropped WebSocket: 0.5 s, 1 s, 2 s, … up to 10 s, each with ±25 % jitter so
// that many clients do not reconnect together.
// Hands each JSON frame of `ws` to `onFrame` while `isCurrent()` (a replaced socket's late frames are
// dropped); a frame that is not JSON is ignored.
export function listenForFrames(ws, isCurrent, onFrame) {
  ws.onmessage = function (event) {
    if (!isCurrent()) return;
    var frame;
    try {
      frame = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    onFrame(frame);
  };
}

export function retryDelay(attempt) {
  var base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, attempt));
  return Math.min(RETRY_MAX_MS, base * (0.75 + Math.random() * 0.5));
}

// At most one reconnection pending at a time. `attempts` counts the tries since the connection last
// succeeded (the caller sets it back to 0 then); schedule(run) is false when a try is already pending.
export function createRetry() {
  var timer = null;
  var retry = {
    attempts: 0,
    pending: function () {
      return timer !== null;
    },
    schedule: function (run) {
      if (timer !== null) return false;
      var delay = retryDelay(retry.attempts);
      retry.attempts += 1;
      timer = window.setTimeout(function () {
        timer = null;
        run();
      }, delay);
      return true;
    },
    cancel: function () {
      window.clearTimeout(timer);
      timer = null;
    },
  };
  return retry;
}
