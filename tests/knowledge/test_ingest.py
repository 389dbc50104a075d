from knowledge.documents import BY_FILE, DOCUMENTS, read_document
from knowledge.ingest import clean_lines, passages, sections


def lines_of(file: str) -> list[str]:
    return [line.text for line in clean_lines(read_document(BY_FILE[file]))]


def test_flattened_payment_limit_table_is_rebuilt_row_by_row():
    text = "\n".join(lines_of("usahaku99_faq.txt"))
    assert "GoPay — Limitasi: Maksimal Rp 125.000,- per transaksi" in text
    assert "DANA — Limitasi: Maksimal Rp 230.000,- per transaksi" in text
    assert "\n|\n" not in text


def test_payout_fee_table_keeps_bank_and_fee_together():
    text = "\n".join(lines_of("usahaku99_faq.txt"))
    assert "Bank Lain — Biaya transfer: Rp 4.500" in text
    assert "BCA — Biaya transfer: Rp 4.000" in text


def test_screenshot_captions_and_comment_markers_are_dropped():
    for document in DOCUMENTS:
        for line in lines_of(document.file):
            assert line.lower() not in {"image", "image.png", "imageimage", "<!--", "-->"}


def test_every_passage_traces_back_to_its_lines():
    all_passages = passages()
    assert {p.document for p in all_passages} == {d.file for d in DOCUMENTS}
    for passage in all_passages[:400]:
        source = read_document(BY_FILE[passage.document]).splitlines()
        first = passage.text.splitlines()[0]
        window = "\n".join(source[passage.line_start - 1 : passage.line_end + 40])
        # table rows are rebuilt, so compare on a few words of the first line
        assert first.split(" — ")[0][:30].replace("Tabel: ", "") in window
        assert len(passage.text) <= 1400


def test_sections_follow_headings():
    titles = [s.title for s in sections(BY_FILE["perhutani_syarat_ketentuan.txt"])]
    assert "REGISTRASI" in titles
    usahaku = [s.path for s in sections(BY_FILE["usahaku99_faq.txt"])]
    assert ("PEMBELIAN DAN PEMBAYARAN", "2. Metode Pembayaran") in {p[:2] for p in usahaku}
