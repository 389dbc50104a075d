/*
 * Asisten CS — the agent console (GET /agent). Plain JavaScript modules: no build step, no dependencies.
 *
 * This entry point logs the agent in and out, switches between the conversations and (for supervisors) the
 * reports, and starts everything else; the rest lives in console/ (docs/agent-console.md names each module)
 * and in shared/common.js, which the widget shares. It talks to the JSON API under /api/agent and listens on
 * the WebSocket /ws/agent. Every text from the server is set with textContent on elements made with
 * createElement: nothing is ever parsed as HTML. Mutating requests carry the X-CSRF-Token from the login
 * (or /me) answer.
 */
import { ApiError, api, errorText, whenUnauthorized } from "./console/api.js";
import { closeDialogs } from "./console/dialogs.js";
import { renderCustomer } from "./console/cases.js";
import { refreshLists, selectTab } from "./console/queue.js";
import { load as loadReports } from "./console/reports.js";
import { connectSocket, stopSocket } from "./console/socket.js";
import { $, resetLive, state, supervises } from "./console/state.js";
import { TEXT } from "./console/text.js";
import { renderChat } from "./console/transcript.js";

// --- login ---------------------------------------------------------------------------------------------
function showLogin(message) {
  state.me = null;
  state.csrf = null;
  stopSocket();
  closeDialogs();
  state.openId = null;
  state.detail = null;
  resetLive();
  state.unread.clear();
  state.lists = { queue: [], mine: [], active: [] };
  state.loaded = { queue: false, mine: false, active: false };
  $("loading").hidden = true;
  $("console-view").hidden = true;
  $("login-view").hidden = false;
  $("login-password").value = "";
  $("login-error").textContent = message || "";
  document.title = "Masuk — Konsol CS";
  $("login-username").focus();
}

// A request answered 401 (the session expired or was ended elsewhere) brings back the login form.
whenUnauthorized(function (path) {
  if (path !== "/login" && state.me) showLogin();
});

function startConsole(session) {
  state.me = session.agent;
  state.csrf = session.csrf_token;
  $("loading").hidden = true;
  $("login-view").hidden = true;
  $("console-view").hidden = false;
  $("me-name").textContent = (state.me.name || state.me.username) + " (" + state.me.username + ")";
  $("page-reports").hidden = !supervises();
  showPage("chats");
  renderChat();
  renderCustomer();
  selectTab(state.view, false);
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
      state.view = "queue";
      showLogin();
    });
});

// --- pages: the conversations, and for supervisors the reports (console/reports.js) ------------------------
function showPage(name) {
  var reports = name === "reports" && supervises();
  $("chats-page").hidden = reports;
  $("reports-page").hidden = !reports;
  $("page-chats").setAttribute("aria-pressed", reports ? "false" : "true");
  $("page-reports").setAttribute("aria-pressed", reports ? "true" : "false");
  document.title = reports ? "Laporan — Konsol CS" : "Konsol CS";
  if (reports) loadReports();
}

$("page-chats").addEventListener("click", function () {
  showPage("chats");
});
$("page-reports").addEventListener("click", function () {
  showPage("reports");
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
