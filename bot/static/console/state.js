/*
 * What the console modules share: the signed-in agent, the lists, the open conversation, and small helpers
 * that read them. Modules change `state`'s fields in place (an imported binding cannot be reassigned).
 */
import { authorKind } from "../shared/common.js";
import { TEXT } from "./text.js";

export var state = {
  me: null, // {username, name, role}
  csrf: null,
  view: "queue",
  lists: { queue: [], mine: [], active: [] },
  loaded: { queue: false, mine: false, active: false },
  openId: null,
  detail: null,
  // Messages and notes of the open conversation that arrived live (or as a POST answer): a detail fetched
  // before they were stored must not make them disappear, so they are merged into every detail shown.
  live: { messages: new Map(), notes: new Map() },
  unread: new Set(),
};

export function resetLive() {
  state.live = { messages: new Map(), notes: new Map() };
}

// --- small helpers -------------------------------------------------------------------------------------
export function $(id) {
  return document.getElementById(id);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// Rebuilding a part of the page must not throw the keyboard user's focus away: controls carry a
// data-key, and the focused one is focused again after the rebuild.
export function rebuild(container, build) {
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

export function sameId(a, b) {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}

export function agentUsername(agent) {
  if (!agent) return null;
  if (typeof agent === "string") return agent.replace(/^agent:/, "");
  return agent.username || null;
}

export function agentName(agent) {
  if (!agent) return null;
  if (typeof agent === "string") return agent.replace(/^agent:/, "");
  return agent.name || agent.username || null;
}

export function customerLabel(conversation) {
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

export function authorLabel(author) {
  var kind = authorKind(author);
  if (kind === "customer") return TEXT.customer;
  if (kind === "bot") return TEXT.bot;
  if (kind === "system") return TEXT.system;
  var username = String(author).slice("agent:".length); // "" for "agent" (a message sent on a CS decision)
  if (!username) return TEXT.cs;
  if (state.me && username === state.me.username) return TEXT.cs + " " + username + " (" + TEXT.you + ")";
  return TEXT.cs + " " + username;
}

export function findSummary(id) {
  var found = null;
  ["queue", "mine", "active"].some(function (name) {
    return state.lists[name].some(function (summary) {
      if (sameId(summary.id, id)) {
        found = summary;
        return true;
      }
      return false;
    });
  });
  return found;
}

export function mine() {
  var detail = state.detail;
  var me = state.me;
  return !!(detail && me && detail.state === "with_agent" && agentUsername(detail.agent) === me.username);
}

export function supervises() {
  return !!(state.me && state.me.role === "supervisor");
}

// Which actions make sense now (the server decides; this only avoids offering what it would refuse).
export function allowed() {
  var detail = state.detail;
  var current = detail ? detail.state : null;
  var holder = mine() || (current === "with_agent" && supervises());
  return {
    claim: current === "waiting_agent",
    reply: mine(),
    note: !!detail,
    transfer: current === "with_agent" && holder,
    release: current === "waiting_agent" || (current === "with_agent" && holder),
    close: current === "waiting_agent" || (current === "with_agent" && holder),
  };
}
