/*
 * Answering a question the bot could not (from the reports' "unanswered" table): add its wordings to a topic
 * (and maybe rewrite that topic's answer) or write a new topic (POST /api/knowledge/…; customers get the
 * answer within a minute).
 */
import { el } from "../shared/common.js";
import { api, complain, showNotice } from "./api.js";
import { dialogError, openDialog, submitDialog } from "./dialogs.js";
import { load } from "./reports.js";
import { $ } from "./state.js";
import { BRANDS } from "./text.js";

var SAVED = "Tersimpan. Jawabannya berlaku untuk pelanggan dalam satu menit.";
var fixing = null; // the unanswered group being answered
var chosen = null; // the topic picked to attach it to
var searchSeq = 0;
var searchTimer = null;

function mode() {
  var checked = document.querySelector('input[name="knowledge-mode"]:checked');
  return checked ? checked.value : "attach";
}

function setMode(name) {
  Array.prototype.forEach.call(document.querySelectorAll('input[name="knowledge-mode"]'), function (radio) {
    radio.checked = radio.value === name;
  });
  $("knowledge-attach").hidden = name !== "attach";
  $("knowledge-new").hidden = name !== "new";
}

function renderTopics(topics) {
  var list = $("knowledge-topics");
  while (list.firstChild) list.removeChild(list.firstChild);
  if (!topics.length) {
    list.appendChild(el("p", { class: "empty", text: "Tidak ada topik yang cocok. Tulis topik baru?" }));
    return;
  }
  topics.forEach(function (topic) {
    var radio = el("input", { type: "radio", name: "knowledge-topic", value: topic.topic });
    radio.addEventListener("change", function () {
      chosen = topic;
      $("knowledge-answer").value = topic.answer;
    });
    list.appendChild(
      el("label", {}, [
        radio,
        el("span", {}, [
          el("span", { text: topic.question }),
          el("br"),
          el("span", { class: "muted", text: topic.platform + " · Sumber: " + topic.source }),
        ]),
      ])
    );
  });
}

function searchTopics() {
  var q = $("knowledge-search").value.trim();
  var seq = ++searchSeq;
  chosen = null;
  $("knowledge-answer").value = "";
  if (!q) {
    renderTopics([]);
    return;
  }
  api("GET", "/api/knowledge/topics?q=" + encodeURIComponent(q))
    .then(function (topics) {
      if (seq === searchSeq) renderTopics(Array.isArray(topics) ? topics : []);
    })
    .catch(function (error) {
      if (seq === searchSeq) complain(error);
    });
}

export function openFix(group) {
  fixing = group;
  $("knowledge-question").textContent = group.question;
  $("knowledge-count").textContent = group.count > 1 ? "(" + group.count + "× ditanyakan)" : "";
  setMode("attach");
  $("knowledge-search").value = group.question;
  $("knowledge-edit-answer").checked = false;
  $("knowledge-answer").disabled = true;
  $("knowledge-new-question").value = group.question;
  $("knowledge-new-answer").value = "";
  var brands = $("knowledge-brand");
  if (!brands.options.length) {
    Object.keys(BRANDS).forEach(function (brand) {
      brands.appendChild(el("option", { value: brand, text: BRANDS[brand] }));
    });
  }
  searchTopics();
  openDialog($("dlg-knowledge"), $("knowledge-search"));
}

function wordings() {
  var all = [fixing.question].concat(fixing.variants || []);
  return all.filter(function (text, i) {
    return text && all.indexOf(text) === i;
  });
}

function saveRequest(dialog) {
  var ids = fixing.ids || [];
  if (mode() === "new") {
    var question = $("knowledge-new-question").value.trim();
    var answer = $("knowledge-new-answer").value.trim();
    if (!question || !answer) {
      dialogError(dialog, "Isi pertanyaan dan jawabannya dulu, ya.");
      return null;
    }
    var body = {
      question: question,
      answer: answer,
      brand: $("knowledge-brand").value,
      phrasings: wordings().filter(function (text) {
        return text !== question;
      }),
      unanswered_ids: ids,
    };
    return function () {
      return api("POST", "/api/knowledge/topics", body);
    };
  }
  if (!chosen) {
    dialogError(dialog, "Pilih dulu topik yang menjawab pertanyaan ini.");
    return null;
  }
  var topic = chosen;
  var base = "/api/knowledge/topics/" + encodeURIComponent(topic.topic);
  var newAnswer = $("knowledge-answer").value.trim();
  var rewrite = $("knowledge-edit-answer").checked && newAnswer && newAnswer !== topic.answer.trim();
  return function () {
    var chain = Promise.resolve();
    wordings().forEach(function (text, i) {
      chain = chain.then(function () {
        return api("POST", base + "/phrasings", { text: text, unanswered_ids: i === 0 ? ids : [] });
      });
    });
    if (rewrite) {
      chain = chain.then(function () {
        return api("POST", base + "/answer", { answer: newAnswer });
      });
    }
    return chain;
  };
}

Array.prototype.forEach.call(document.querySelectorAll('input[name="knowledge-mode"]'), function (radio) {
  radio.addEventListener("change", function () {
    setMode(radio.value);
  });
});
$("knowledge-edit-answer").addEventListener("change", function () {
  $("knowledge-answer").disabled = !$("knowledge-edit-answer").checked;
});
$("knowledge-search").addEventListener("input", function () {
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(searchTopics, 250);
});
$("form-knowledge").addEventListener("submit", function (event) {
  event.preventDefault();
  var dialog = $("dlg-knowledge");
  var request = saveRequest(dialog);
  if (!request) return;
  submitDialog(dialog, request, function () {
    showNotice(SAVED);
    load();
  });
});
