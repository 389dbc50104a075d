/*
 * The console's words and labels (Indonesian, as the agents read them) and how times are written (WIB).
 */

export var CLOSING_PREFILL = "Terima kasih sudah menghubungi kami, Kak. Ringkasan: ";

export var TEXT = {
  badLogin: "Username atau kata sandi salah",
  tooMany: function (seconds) {
    return "Terlalu banyak percobaan, coba lagi dalam " + seconds + " detik";
  },
  network: "Tidak dapat terhubung ke server. Periksa koneksi lalu coba lagi.",
  forbidden: "Permintaan ditolak. Muat ulang halaman lalu coba lagi.",
  notFound: "Data tidak ditemukan. Mungkin sudah berubah; muat ulang daftar.",
  invalid: "Isian belum lengkap atau tidak valid.",
  cannedUnavailable: "Balasan cepat sedang tidak tersedia.",
  ordersUnavailable: "Data pesanan sedang tidak dapat dimuat dari sistem pesanan.",
  phones: "Nomor",
  failed: function (status) {
    return "Terjadi kesalahan (kode " + status + "). Silakan coba lagi.";
  },
  connected: "Terhubung",
  connecting: "Menghubungkan…",
  reconnecting: "Menghubungkan ulang…",
  emptyQueue: "Antrean kosong. Belum ada pelanggan yang menunggu.",
  emptyMine: "Belum ada percakapan yang Anda tangani.",
  emptyActive: "Tidak ada percakapan aktif.",
  loadingList: "Memuat…",
  claim: "Ambil",
  newMessage: "Pesan baru",
  waiting: "menunggu",
  you: "Anda",
  customer: "Pelanggan",
  bot: "Bot",
  system: "Sistem",
  cs: "CS",
  note: "Catatan internal",
  replyLabel: "Balasan untuk pelanggan",
  noteLabel: "Catatan internal (tidak dikirim ke pelanggan)",
  replyPlaceholder: "Tulis balasan… (Enter kirim, Shift+Enter baris baru)",
  notePlaceholder: "Tulis catatan untuk tim CS… (Enter simpan, Shift+Enter baris baru)",
  send: "Kirim",
  saveNote: "Simpan catatan",
  hintClaimFirst: "Ambil percakapan ini dulu untuk membalas pelanggan.",
  hintNotYours: "Percakapan ini sedang ditangani agent lain.",
  hintNotWithAgent: "Balasan hanya bisa dikirim saat percakapan ditangani CS.",
  hintNote: "Catatan internal hanya terlihat oleh tim CS.",
  nobody: "—",
  noneYet: "Belum ada",
  noReason: "—",
  claimed: "Percakapan diambil.",
  released: "Percakapan dikembalikan ke bot.",
  closed: "Percakapan diselesaikan.",
  transferred: function (name) {
    return "Percakapan dialihkan ke " + name + ".";
  },
  noOtherAgents: "Tidak ada agent lain.",
  online: "daring",
  offline: "luring",
  cannedNone: "Tidak ada balasan yang cocok.",
  cannedCount: function (n) {
    return n + " balasan ditemukan.";
  },
  orders: "Pesanan",
  returns: "Retur",
  tickets: "Tiket pengaduan",
  noOrders: "Tidak ada pesanan.",
  noReturns: "Tidak ada retur.",
  noTickets: "Tidak ada tiket.",
  noCustomer: "Belum ada percakapan yang dipilih.",
  approve: "Setujui",
  reject: "Tolak",
  answer: "Jawab",
  extend: "Perpanjang",
  closeTicket: "Tutup",
  due: "Batas waktu",
  nearDeadline: "Mendekati batas waktu",
  breached: "Lewat batas waktu",
  approveTitle: function (number) {
    return "Setujui retur " + number;
  },
  rejectTitle: function (number) {
    return "Tolak retur " + number;
  },
  reasonRequired: "Alasan penolakan wajib diisi.",
  quantityInvalid: function (max) {
    return max ? "Jumlah harus antara 1 dan " + max + "." : "Jumlah minimal 1.";
  },
  returnSaved: "Keputusan retur tersimpan dan pelanggan diberi tahu.",
  ticketTitles: {
    answered: "Jawab tiket ",
    extended: "Perpanjang tiket ",
    closed: "Tutup tiket ",
  },
  ticketLabels: {
    answered: "Jawaban untuk pelanggan (wajib)",
    extended: "Alasan perpanjangan (wajib, dikirim ke pelanggan)",
    closed: "Catatan penutupan (opsional)",
  },
  noteRequired: "Catatan wajib diisi.",
  ticketSaved: "Tiket diperbarui dan pelanggan diberi tahu.",
  summaryRequired: "Ringkasan penutup wajib diisi.",
  quantity: function (reported) {
    return "Jumlah dilaporkan: " + reported;
  },
  media: { image: "Foto", pdf: "Dokumen", other: "Lampiran" },
  buttons: "Tombol",
  image: "Gambar",
};

var REASONS = {
  customer_request: "Minta CS",
  repeated_fallback: "Bot tidak paham",
  angry_complaint: "Pelanggan kecewa",
};
var STATES = {
  bot: "Dilayani bot",
  waiting_agent: "Menunggu CS",
  with_agent: "Ditangani CS",
  closed: "Selesai",
};
var CHANNELS = { whatsapp: "WhatsApp", widget: "Web", rest: "API" };
export var BRANDS = {
  usahaku99: "99% Usahaku",
  aksestoko: "AksesToko",
  seller_center: "Seller Center",
  cankul: "Cankul",
  perhutani: "Perhutani",
};
export var EVENTS = {
  handoff_requested: "Minta CS",
  claimed: "Diambil",
  transferred: "Dialihkan",
  returned_to_bot: "Dikembalikan ke bot",
  closed: "Diselesaikan",
  reopened: "Dibuka kembali",
  whatsapp_not_sent: "WhatsApp tidak terkirim",
  queue_reminder: "Pengingat antrean",
  queue_ack: "Pesan menunggu dibalas otomatis",
  csat_asked: "Penilaian diminta",
  csat: "Penilaian pelanggan",
};
export var OPEN_TICKET = ["diterima", "diproses", "diperpanjang"];

export function reasonLabel(reason) {
  if (!reason) return TEXT.noReason;
  if (typeof reason === "object") reason = reason.reason || "";
  return REASONS[reason] || String(reason);
}

export function stateLabel(state) {
  return STATES[state] || String(state || "");
}

export function channelLabel(channel) {
  return CHANNELS[channel] || String(channel || "");
}

export function brandLabel(brand) {
  return BRANDS[brand] || String(brand || "");
}

var WIB_TIME = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit" });
var WIB_DAY = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", day: "numeric", month: "short" });
var WIB_DATE = new Intl.DateTimeFormat("id-ID", {
  timeZone: "Asia/Jakarta",
  day: "numeric",
  month: "short",
  year: "numeric",
});

// "14.05 WIB" today, "3 Des 14.05 WIB" on other days.
export function wib(iso) {
  if (!iso) return "";
  var date = new Date(iso);
  if (isNaN(date.getTime())) return "";
  var day = WIB_DAY.format(date);
  var prefix = day === WIB_DAY.format(new Date()) ? "" : day + " ";
  return prefix + WIB_TIME.format(date) + " WIB";
}

// A calendar date ("2026-12-20") in Jakarta.
export function wibDate(value) {
  if (!value) return "";
  var date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? value + "T12:00:00+07:00" : value);
  return isNaN(date.getTime()) ? String(value) : WIB_DATE.format(date);
}

export function waitedText(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  if (seconds < 60) return TEXT.waiting + " " + seconds + " dtk";
  var minutes = Math.floor(seconds / 60);
  if (minutes < 60) return TEXT.waiting + " " + minutes + " mnt";
  var hours = Math.floor(minutes / 60);
  return TEXT.waiting + " " + hours + " j " + (minutes % 60) + " mnt";
}

// Seconds waited now: the server's count when the list came, plus the time since (no clock skew).
export function waitedNow(summary) {
  if (typeof summary.waited_seconds === "number" && summary._fetchedAt) {
    return summary.waited_seconds + (Date.now() - summary._fetchedAt) / 1000;
  }
  var since = summary.waiting_since ? new Date(summary.waiting_since).getTime() : NaN;
  return isNaN(since) ? null : (Date.now() - since) / 1000;
}
