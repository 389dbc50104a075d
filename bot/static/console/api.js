/*
 * The console's one way to the server: api() (JSON in and out, the session cookie, the CSRF token on every
 * mutating request), and how a failure is told to the agent.
 */
import { $, state } from "./state.js";
import { TEXT } from "./text.js";

var API = "/api/agent";
var unauthorized = function () {};

// What to do when a request is answered 401 (the entry point brings back the login form); gets the path.
export function whenUnauthorized(handler) {
  unauthorized = handler;
}

// --- messages to the agent -------------------------------------------------------------------------------
var flashTimer = null;
export function showError(text) {
  $("notice").textContent = "";
  $("error").textContent = text || "";
  window.clearTimeout(flashTimer);
  if (text) flashTimer = window.setTimeout(function () { $("error").textContent = ""; }, 15000);
}

export function showNotice(text) {
  $("error").textContent = "";
  $("notice").textContent = text || "";
  window.clearTimeout(flashTimer);
  if (text) flashTimer = window.setTimeout(function () { $("notice").textContent = ""; }, 6000);
}

// --- the API ---------------------------------------------------------------------------------------------
export function ApiError(status, detail, retryAfter) {
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

export function api(method, path, body) {
  var headers = { Accept: "application/json" };
  var csrf = state.csrf;
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
        if (response.status === 401) unauthorized(path);
        throw error;
      });
    },
    function () {
      throw new ApiError(0, null, null);
    }
  );
}

// What the agent is told when a request fails (401 has already brought back the login form).
export function complain(error) {
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
export function errorText(error) {
  if (!(error instanceof ApiError)) return TEXT.failed("?");
  if (error.status === 0) return TEXT.network;
  if (error.status === 409 && error.detail) return error.detail;
  if (error.status === 403) return TEXT.forbidden;
  if (error.status === 404) return TEXT.notFound;
  if (error.status === 422) return TEXT.invalid;
  return TEXT.failed(error.status);
}

