/*
 * The console's dialogs (transfer, close, return decisions, ticket steps, answering a question): open,
 * close, and submit with the error shown inside the dialog.
 */
import { ApiError, errorText } from "./api.js";

export function dialogError(dialog, text) {
  dialog.querySelector(".form-error").textContent = text || "";
}

export function openDialog(dialog, focus) {
  dialogError(dialog, "");
  if (typeof dialog.showModal === "function") dialog.showModal();
  else dialog.setAttribute("open", "");
  if (focus) focus.focus();
}

export function closeDialog(dialog) {
  if (dialog.open && typeof dialog.close === "function") dialog.close();
  else dialog.removeAttribute("open");
}

export function closeDialogs() {
  Array.prototype.forEach.call(document.querySelectorAll("dialog"), closeDialog);
}

Array.prototype.forEach.call(document.querySelectorAll("dialog [data-cancel]"), function (button) {
  button.addEventListener("click", function () {
    closeDialog(button.closest("dialog"));
  });
});

// Submits a dialog's form: the request, then close and report, or show the error inside the dialog.
export function submitDialog(dialog, request, done) {
  var submit = dialog.querySelector('button[type="submit"]');
  submit.disabled = true;
  dialogError(dialog, "");
  request()
    .then(function (data) {
      closeDialog(dialog);
      done(data);
    })
    .catch(function (error) {
      if (error instanceof ApiError && error.status === 401) return;
      dialogError(dialog, errorText(error));
    })
    .then(function () {
      submit.disabled = false;
    });
}
