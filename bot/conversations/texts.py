"""What the gateway itself tells customers (the bot's texts live in Rasa's domain)."""

from __future__ import annotations

BOT_UNAVAILABLE_TEXT = (
    "Mohon maaf Kak, sistem kami sedang mengalami gangguan sehingga pesan Kakak belum bisa dijawab "
    "sekarang. Pesan Kakak sudah kami simpan. Silakan coba kirim lagi beberapa saat lagi ya. 🙏"
)
# The help centre (FAQ 99% Usahaku — Keamanan Akun): nobody may ask for a password or an OTP.
CREDENTIAL_WARNING_TEXT = (
    "Mohon jangan bagikan kode OTP atau kata sandi kepada siapa pun, termasuk kepada kami, Kak: petugas "
    "resmi tidak pernah memintanya. Kode tadi sudah kami sensor dan tidak kami simpan. Kalau Kakak merasa "
    "kode itu sudah diketahui orang lain, segera ganti kata sandi akun Kakak."
)
# The database could not take the message (locked past its timeout, unreachable): nothing was stored, so
# unlike BOT_UNAVAILABLE_TEXT this must not say it was kept.
STORAGE_UNAVAILABLE_TEXT = (
    "Mohon maaf Kak, sistem kami sedang sibuk sehingga pesan Kakak belum bisa kami terima. Silakan kirim "
    "ulang pesan yang sama beberapa saat lagi ya. 🙏"
)
EMPTY_MESSAGE_TEXT = "Maaf Kak, pesannya belum terbaca oleh kami. Boleh diketik ulang?"
NO_REPLY_TEXT = (
    "Maaf Kak, saya belum menangkap maksud pesan tadi. Boleh dijelaskan dengan kalimat lain? Kalau ingin "
    'dibantu tim kami, ketik "CS" ya.'
)
# What Rasa is sent for a file with no caption: the return form takes the file from the metadata whatever
# the words; elsewhere NLU sees a neutral phrase instead of an empty message.
MEDIA_ONLY_TEXT = "(mengirim lampiran)"
