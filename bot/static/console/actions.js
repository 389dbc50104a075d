/*
 * What an agent does with a conversation: claim it, give it back to the bot, transfer it to another agent,
 * or close it with a summary for the customer.
 */
import { el } from "../shared/common.js";
import { api, complain, errorText, showNotice } from "./api.js";
import { renderControls, setMode } from "./composer.js";
import { dialogError, openDialog, submitDialog } from "./dialogs.js";
import { refreshLists, selectTab } from "./queue.js";
import { $, agentUsername, clear, resetLive, sameId, state } from "./state.js";
import { CLOSING_PREFILL, TEXT } from "./text.js";
import { loadDetail, setDetail } from "./transcript.js";

function afterChange(data, message) {
  if (data && sameId(data.id, state.openId)) setDetail(data, false);
  if (message) showNotice(message);
  refreshLists();
}

export function claim(id, button) {
  if (button) button.disabled = true;
  var opening = !sameId(id, state.openId);
  state.openId = String(id);
  state.unread.delete(state.openId);
  if (opening) {
    state.detail = null;
    resetLive();
  }
  return api("POST", "/conversations/" + encodeURIComponent(id) + "/claim")
    .then(function (data) {
      setMode("reply");
      afterChange(data, TEXT.claimed);
      if (state.view === "queue") selectTab("mine", false);
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
  if (state.openId !== null) claim(state.openId, $("act-claim"));
});

$("act-release").addEventListener("click", function () {
  if (state.openId === null) return;
  var button = $("act-release");
  button.disabled = true;
  api("POST", "/conversations/" + encodeURIComponent(state.openId) + "/release")
    .then(function (data) {
      afterChange(data, TEXT.released);
    })
    .catch(function (error) {
      complain(error);
      loadDetail(false);
    })
    .then(renderControls);
});

// Transfer
$("act-transfer").addEventListener("click", function () {
  if (state.openId === null) return;
  var dialog = $("dlg-transfer");
  var select = $("transfer-to");
  clear(select);
  select.disabled = true;
  openDialog(dialog, select);
  api("GET", "/agents")
    .then(function (agents) {
      clear(select);
      var holder = state.detail ? agentUsername(state.detail.agent) : null;
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
  if (!to || state.openId === null) return;
  var name = select.options[select.selectedIndex] ? select.options[select.selectedIndex].textContent : to;
  var id = state.openId;
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
  if (state.openId === null) return;
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
  var id = state.openId;
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

