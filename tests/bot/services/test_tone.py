import pytest

from bot.services.tone import is_angry


@pytest.mark.parametrize(
    "text",
    [
        "saya sangat kecewa dengan pelayanannya",
        "kalian penipu ya",
        "cs ga becus, refund ga masuk2",
        "saya akan lapor ke OJK",
        "MANA BARANG SAYA SUDAH SEMINGGU",
        "kok belum sampai!!!",
    ],
)
def test_anger_is_recognised(text: str) -> None:
    assert is_angry(text)


@pytest.mark.parametrize(
    "text",
    [
        "paket saya belum sampai, mohon dicek",
        "refund belum masuk sudah 3 minggu",
        "OK",
        "barang rusak, mau retur!",
    ],
)
def test_a_plain_complaint_is_not_anger(text: str) -> None:
    assert not is_angry(text)
