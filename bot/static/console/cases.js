/*
 * The customer column: who the customer is, their orders, return requests and complaint tickets, and the
 * dialogs that decide a return or take a ticket's next step (POJK 18/2018).
 */
import { el } from "../shared/common.js";
import { api, showNotice } from "./api.js";
import { dialogError, openDialog, submitDialog } from "./dialogs.js";
import { $, clear, customerLabel, rebuild, state } from "./state.js";
import { OPEN_TICKET, TEXT, brandLabel, channelLabel, wibDate } from "./text.js";
import { loadDetail } from "./transcript.js";

// Return decisions
var returnTarget = null; // {number, approve, max}
function openReturnDialog(item, approve) {
  var reported = typeof item.quantity_reported === "number" ? item.quantity_reported : null;
  returnTarget = { number: String(item.number), approve: approve, max: reported };
  var dialog = $("dlg-return");
  $("dlg-return-title").textContent = approve ? TEXT.approveTitle(item.number) : TEXT.rejectTitle(item.number);
  var facts = [item.item_name, reported !== null ? TEXT.quantity(reported) : null].filter(Boolean);
  $("return-summary").textContent = facts.join(" · ");
  $("return-summary").hidden = !facts.length;
  $("return-approve").hidden = !approve;
  $("return-reject").hidden = approve;
  $("return-outcome").value = "kirim_ulang";
  var quantity = $("return-quantity");
  quantity.value = reported !== null ? String(reported) : "1";
  if (reported !== null) quantity.max = String(reported);
  else quantity.removeAttribute("max");
  $("return-reason").value = "";
  $("return-reason").required = !approve;
  $("return-submit").textContent = approve ? TEXT.approve : TEXT.reject;
  openDialog(dialog, approve ? $("return-outcome") : $("return-reason"));
}
$("form-return").addEventListener("submit", function (event) {
  event.preventDefault();
  var target = returnTarget;
  if (!target || !state.me) return;
  var dialog = $("dlg-return");
  var body = { approve: target.approve, agent: state.me.username };
  if (target.approve) {
    var quantity = parseInt($("return-quantity").value, 10);
    if (isNaN(quantity) || quantity < 1 || (target.max !== null && quantity > target.max)) {
      dialogError(dialog, TEXT.quantityInvalid(target.max));
      return;
    }
    body.outcome = $("return-outcome").value;
    body.accepted_quantity = quantity;
  } else {
    var reason = $("return-reason").value.trim();
    if (!reason) {
      dialogError(dialog, TEXT.reasonRequired);
      return;
    }
    body.reason = reason;
  }
  submitDialog(
    dialog,
    function () {
      return api("POST", "/returns/" + encodeURIComponent(target.number) + "/decision", body);
    },
    function () {
      showNotice(TEXT.returnSaved);
      loadDetail(false);
    }
  );
});

// Complaint ticket steps
var ticketTarget = null; // {number, step}
function openTicketDialog(item, step) {
  ticketTarget = { number: String(item.number), step: step };
  $("dlg-ticket-title").textContent = TEXT.ticketTitles[step] + item.number;
  $("ticket-note-label").textContent = TEXT.ticketLabels[step];
  var note = $("ticket-note");
  note.value = "";
  note.required = step !== "closed";
  $("ticket-submit").textContent = step === "answered" ? TEXT.answer : step === "extended" ? TEXT.extend : TEXT.closeTicket;
  openDialog($("dlg-ticket"), note);
}
$("form-ticket").addEventListener("submit", function (event) {
  event.preventDefault();
  var target = ticketTarget;
  if (!target || !state.me) return;
  var dialog = $("dlg-ticket");
  var note = $("ticket-note").value.trim();
  if (!note && target.step !== "closed") {
    dialogError(dialog, TEXT.noteRequired);
    return;
  }
  var body = { step: target.step, agent: state.me.username, note: note || null };
  submitDialog(
    dialog,
    function () {
      return api("POST", "/complaints/" + encodeURIComponent(target.number) + "/steps", body);
    },
    function () {
      showNotice(TEXT.ticketSaved);
      loadDetail(false);
    }
  );
});

// --- the customer column ---------------------------------------------------------------------------------
function section(title, items, emptyText, render) {
  var list = el("ul", { class: "cases" });
  items.forEach(function (item) {
    if (item && typeof item === "object") list.appendChild(render(item));
  });
  return el("section", { class: "customer-section", "aria-label": title }, [
    el("h3", { text: title }),
    items.length ? list : el("p", { class: "empty", text: emptyText }),
  ]);
}

function fact(label, value, cls) {
  if (value === null || value === undefined || value === "") return null;
  return el("span", { class: "fact" + (cls ? " " + cls : "") }, [
    el("span", { class: "sr", text: label + ": " }),
    String(value),
  ]);
}

function caseButton(label, describedBy, enabled, handler) {
  var button = el("button", {
    type: "button",
    class: "small",
    text: label,
    "aria-describedby": describedBy,
    "data-key": describedBy + ":" + label,
  });
  button.disabled = !enabled;
  button.addEventListener("click", handler);
  return button;
}

export function renderCustomer() {
  rebuild($("customer-body"), buildCustomer);
}

function buildCustomer() {
  var detail = state.detail;
  var body = $("customer-body");
  clear(body);
  if (!detail) {
    body.appendChild(el("p", { class: "empty", text: TEXT.noCustomer }));
    return;
  }
  var customer =
    detail.customer_context && typeof detail.customer_context === "object"
      ? detail.customer_context
      : detail.customer && typeof detail.customer === "object"
        ? detail.customer
        : {};
  body.appendChild(
    el("p", { class: "customer-id" }, [
      el("span", { class: "badge channel-" + String(detail.channel || "other"), text: channelLabel(detail.channel) }),
      " ",
      el("span", { text: customerLabel(detail) }),
    ])
  );
  if (customer.name) body.appendChild(el("p", { class: "customer-name", text: String(customer.name) }));
  var phones = Array.isArray(customer.phones) ? customer.phones.filter(Boolean) : [];
  if (phones.length) body.appendChild(el("p", { class: "customer-name", text: TEXT.phones + ": " + phones.join(", ") }));

  var orders = Array.isArray(customer.orders) ? customer.orders : [];
  var orderSection = section(TEXT.orders, orders, TEXT.noOrders, function (order) {
    var items = Array.isArray(order.items) ? order.items.filter(Boolean).map(String) : [];
    return el("li", { class: "case" }, [
      el("span", { class: "case-id", text: String(order.id || "") }),
      el("span", { class: "case-facts" }, [
        fact("Status", order.status, "status"),
        fact("Platform", brandLabel(order.platform || order.brand)),
      ]),
      items.length ? el("span", { class: "case-items", text: items.join(", ") }) : null,
    ]);
  });
  if (customer.orders_error) orderSection.appendChild(el("p", { class: "form-error", text: TEXT.ordersUnavailable }));
  body.appendChild(orderSection);

  var returns = Array.isArray(customer.returns) ? customer.returns : [];
  body.appendChild(
    section(TEXT.returns, returns, TEXT.noReturns, function (item) {
      var idNode = "case-rtr-" + String(item.number).replace(/[^A-Za-z0-9_-]/g, "");
      var decidable = item.status === "diajukan";
      return el("li", { class: "case" }, [
        el("span", { class: "case-id", id: idNode, text: String(item.number || "") }),
        el("span", { class: "case-facts" }, [
          fact("Status", item.status, "status"),
          fact("Barang", item.item_name),
          typeof item.quantity_reported === "number" ? fact("Jumlah", TEXT.quantity(item.quantity_reported)) : null,
        ]),
        el("span", { class: "case-actions" }, [
          caseButton(TEXT.approve, idNode, decidable, function () {
            openReturnDialog(item, true);
          }),
          caseButton(TEXT.reject, idNode, decidable, function () {
            openReturnDialog(item, false);
          }),
        ]),
      ]);
    })
  );

  var tickets = Array.isArray(customer.tickets) ? customer.tickets : Array.isArray(customer.complaints) ? customer.complaints : [];
  body.appendChild(
    section(TEXT.tickets, tickets, TEXT.noTickets, function (ticket) {
      var idNode = "case-pgd-" + String(ticket.number).replace(/[^A-Za-z0-9_-]/g, "");
      var open = OPEN_TICKET.indexOf(ticket.status) >= 0;
      var extendable = open && ticket.status !== "diperpanjang" && !ticket.extended;
      var closable = ticket.status !== "selesai";
      return el("li", { class: "case" + (ticket.near_deadline ? " near" : "") }, [
        el("span", { class: "case-id", id: idNode, text: String(ticket.number || "") }),
        el("span", { class: "case-facts" }, [
          fact("Status", ticket.status, "status"),
          fact("Kategori", ticket.category),
          ticket.due_date ? fact(TEXT.due, TEXT.due + " " + wibDate(ticket.due_date)) : null,
          ticket.breached
            ? el("span", { class: "flag flag-breached", text: TEXT.breached })
            : ticket.near_deadline
              ? el("span", { class: "flag flag-near", text: TEXT.nearDeadline })
              : null,
        ]),
        el("span", { class: "case-actions" }, [
          caseButton(TEXT.answer, idNode, open || ticket.status === "dijawab", function () {
            openTicketDialog(ticket, "answered");
          }),
          caseButton(TEXT.extend, idNode, extendable, function () {
            openTicketDialog(ticket, "extended");
          }),
          caseButton(TEXT.closeTicket, idNode, closable, function () {
            openTicketDialog(ticket, "closed");
          }),
        ]),
      ]);
    })
  );
}

