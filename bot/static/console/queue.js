/*
 * The three lists on the left (the queue, my conversations, all active ones): tabs, loading, and the
 * waiting times that tick on screen.
 */
import { el } from "../shared/common.js";
import { api, complain } from "./api.js";
import { claim } from "./actions.js";
import { $, agentName, clear, customerLabel, rebuild, sameId, state } from "./state.js";
import { TEXT, channelLabel, reasonLabel, stateLabel, waitedNow, waitedText } from "./text.js";
import { openConversation } from "./transcript.js";

var TICK_MS = 5000;
var TABS = ["queue", "mine", "active"];
var listTimer = null;
var waitTimes = []; // [{node, summary}] of the list on screen

export function selectTab(name, focus) {
  state.view = name;
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

export function loadList(name) {
  return api("GET", "/conversations?view=" + encodeURIComponent(name))
    .then(function (items) {
      var now = Date.now();
      state.lists[name] = (Array.isArray(items) ? items : []).map(function (summary) {
        summary._fetchedAt = now;
        return summary;
      });
      state.loaded[name] = true;
      renderCounts();
      if (name === state.view) renderList();
    })
    .catch(complain);
}

export function refreshLists() {
  window.clearTimeout(listTimer);
  listTimer = null;
  if (!state.me) return Promise.resolve();
  return Promise.all(TABS.map(loadList));
}

// Several frames in a row (a claim changes the queue and a conversation) give one reload.
export function refreshListsSoon() {
  if (listTimer) return;
  listTimer = window.setTimeout(refreshLists, 250);
}

export function renderCounts() {
  var waiting = state.lists.queue.length;
  TABS.forEach(function (name) {
    $("count-" + name).textContent = state.loaded[name] ? "(" + state.lists[name].length + ")" : "";
    var dot = $("tab-" + name).querySelector(".tab-dot");
    dot.hidden = !state.lists[name].some(function (summary) {
      return state.unread.has(String(summary.id));
    });
  });
  document.title = (waiting ? "(" + waiting + ") " : "") + "Konsol CS";
}

export function renderList() {
  rebuild($("list-panel"), buildList);
  renderCounts();
}

export function buildList() {
  var list = $("conversation-list");
  clear(list);
  waitTimes = [];
  var items = state.lists[state.view];
  var empty = $("list-empty");
  if (!items.length) {
    empty.hidden = false;
    empty.textContent = !state.loaded[state.view]
      ? TEXT.loadingList
      : state.view === "queue"
        ? TEXT.emptyQueue
        : state.view === "mine"
          ? TEXT.emptyMine
          : TEXT.emptyActive;
  } else {
    empty.hidden = true;
  }
  items.forEach(function (summary) {
    list.appendChild(listItem(summary));
  });
}

export function listItem(summary) {
  var id = String(summary.id);
  var isOpen = sameId(id, state.openId);
  var hasUnread = state.unread.has(id);
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
  if (state.view === "queue" && summary.state === "waiting_agent") {
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

