/*
 * Live updates: the WebSocket /ws/agent, what its frames change on screen, and reconnecting when it drops
 * (the backoff is shared with the widget: shared/common.js).
 */
import { authorKind, createRetry, listenForFrames } from "../shared/common.js";
import { ApiError, api } from "./api.js";
import { refreshLists, refreshListsSoon, renderList } from "./queue.js";
import { $, findSummary, sameId, state } from "./state.js";
import { TEXT } from "./text.js";
import { appendMessage, appendNote, loadDetail, loadDetailSoon, renderChat } from "./transcript.js";

var PING_MS = 60000; // any frame on /ws/agent tells the gateway the agent is still at the console
var socket = null;
var retry = createRetry();
var everConnected = false;

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
    if (state.detail && sameId(frame.id, state.openId)) {
      if (frame.state) state.detail.state = frame.state;
      if (frame.agent !== undefined && frame.agent !== state.detail.agent) {
        state.detail.agent = frame.agent;
        state.detail.agent_name = null; // the detail reloaded next has the display name
      }
      renderChat(false);
      loadDetailSoon();
    }
    refreshListsSoon();
  } else if (frame.type === "note") {
    if (frame.note && sameId(frame.conversation_id, state.openId)) appendNote(frame.note);
  } else if (frame.type === "message") {
    var message = frame.message;
    var id = frame.conversation_id;
    if (id === undefined || id === null || !message) return;
    var summary = findSummary(id);
    [state.lists.queue, state.lists.mine, state.lists.active].forEach(function (list) {
      list.forEach(function (item) {
        if (sameId(item.id, id)) item.last_message = { text: message.text, author: message.author, created_at: message.created_at };
      });
    });
    if (sameId(id, state.openId)) {
      appendMessage(message);
    } else if (authorKind(message.author) === "customer") {
      state.unread.add(String(id));
    }
    if (summary) renderList();
  }
}

export function connectSocket() {
  retry.cancel();
  if (!state.me) return;
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
    retry.attempts = 0;
    var again = everConnected;
    everConnected = true;
    setConnection(true);
    if (again) {
      // Frames may have been missed while away.
      refreshLists();
      if (state.openId !== null) loadDetail(false);
    }
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
    everConnected = true;
    setConnection(false);
    reconnectLater();
  };
}

// Before each new try the session is checked, so an expired session brings back the login form instead of
// retrying forever.
function reconnectLater() {
  if (!state.me) return;
  retry.schedule(function () {
    api("GET", "/me")
      .then(function (session) {
        if (!state.me) return;
        if (session && session.csrf_token) state.csrf = session.csrf_token;
        connectSocket();
      })
      .catch(function (error) {
        if (state.me && !(error instanceof ApiError && error.status === 401)) reconnectLater();
      });
  });
}

export function stopSocket() {
  retry.cancel();
  retry.attempts = 0;
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
  if (retry.pending() && state.me) {
    retry.cancel();
    connectSocket();
  }
});
