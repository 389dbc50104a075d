"""Help-centre questions: answer from the corpus with the source named, or say honestly that we have not
found it, offer a human and log the question for the knowledge team."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.channel import ChannelFacts, channel_facts
from actions.greetings import return_salam
from actions.handoff import request_handoff
from actions.safety import SafeAction
from actions.tracker import earlier_texts, latest_intent, latest_text, said_before_latest
from bot.config import get_settings
from bot.services.knowledge_edits import current_knowledge
from bot.services.tone import is_angry
from bot.services.unanswered import record_unanswered
from bot.store.db import session_scope
from knowledge.answering import (
    OUTRIGHT_KINDS,
    Answer,
    Thresholds,
    decide,
    named_brand,
    outright_answer,
    platform_name,
)
from knowledge.errors import KnowledgeError
from knowledge.phrasing import is_question

log = logging.getLogger(__name__)

SORRY_RESPONSE = "utter_sorry_for_the_trouble"  # to a request or a question written in anger (tone.py)
NOT_FOUND_RESPONSE = "utter_answer_not_found"
# Last of the "did you mean" buttons (a response's own buttons would come before the action's, not after)
NOT_THESE = {"title": "Bukan, hubungi CS", "payload": "/request_human"}
# The requests the bot acts on, as buttons: when NLU is unsure between them, or a problem is told beside a
# question, the customer chooses instead of being sent FAQ suggestions (an action request is never deflected).
ACTION_CHOICES = {
    "file_complaint": "Buat pengaduan",
    "report_damaged_goods": "Ajukan retur",
    "check_order_status": "Cek pesanan",
    "request_human": "Bicara dengan CS",
}
# NLU confidences (the linear intent classifier's probabilities, docs/adr/0012): an action intent ranked with
# at least PLAUSIBLE is a real possibility when nothing else fits; beside a confident help-centre answer it
# takes OFFER_BESIDE_ANSWER (or an angry message) to offer acting on it too.
PLAUSIBLE = 0.1
OFFER_BESIDE_ANSWER = 0.25


def _previous_turn_not_found(tracker: Tracker) -> bool:
    """Did the bot say it found nothing in answer to the customer's previous message?"""
    return any(  # Rasa records the response an action named in the bot event's metadata
        (e.get("metadata") or {}).get("utter_action") == NOT_FOUND_RESPONSE
        for e in said_before_latest(tracker)
    )


def _record(tracker: Tracker, question: str, intent: str | None, answer: Answer, facts: ChannelFacts) -> None:
    try:
        with session_scope() as session:
            record_unanswered(
                session,
                question=question,
                conversation_id=tracker.sender_id,
                channel=facts.channel,
                brand=facts.brand,
                intent=intent,
                top_score=answer.score,
                suggested=tuple(o.topic for o in answer.suggestions),
            )
    except Exception:  # the log is for the knowledge team; a failure must not break the reply
        log.exception("could not record an unanswered question")


def action_choices(tracker: Tracker, at_least: float = PLAUSIBLE) -> list[str]:
    """Action intents NLU ranked with at least this confidence, most likely first."""
    ranking = tracker.latest_message.get("intent_ranking") or [tracker.latest_message.get("intent") or {}]
    return [
        r["name"]
        for r in ranking[:5]
        if r.get("name") in ACTION_CHOICES and float(r.get("confidence") or 0.0) >= at_least
    ]


def request_buttons(intents: Iterable[str]) -> list[dict[str, str]]:
    """These requests as buttons, in this order."""
    return [{"title": ACTION_CHOICES[i], "payload": f"/{i}"} for i in intents]


def choice_buttons(first: list[str]) -> list[dict[str, str]]:
    """All four requests as buttons, the likely ones first."""
    return request_buttons([*first, *(i for i in ACTION_CHOICES if i not in first)])


def _conversation_brand(tracker: Tracker) -> str | None:
    """The platform the customer last named in this session before this message ("… di AksesToko?", or a
    button that names it): what "kalau kredit gimana syaratnya?" right after is about."""
    return next(filter(None, map(named_brand, reversed(earlier_texts(tracker)))), None)


def _asking(tracker: Tracker) -> dict[str, Any]:
    """The help centre, thresholds and context a question of this conversation is answered with."""
    backend = get_settings().knowledge_encoder
    return {
        "kb": current_knowledge(backend),
        "intent": latest_intent(tracker),
        "brand": channel_facts(tracker).brand,
        "context_brand": _conversation_brand(tracker),
        "thresholds": Thresholds.load(backend),
    }


def help_centre_answer(tracker: Tracker, question: str) -> Answer:
    """What the help centre says to this question (raises KnowledgeError when the index is unavailable)."""
    return decide(question, **_asking(tracker))


def _outright_answer(tracker: Tracker, question: str) -> Answer | None:
    try:
        return outright_answer(question, **_asking(tracker))
    except KnowledgeError:
        log.exception("knowledge index unavailable")
        return None


def answer_digression(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A help-centre question typed while a form waits for an answer, so the form can ask its question
    again: answered when the help centre knows it; when it only has candidates, they are offered as buttons
    (a button sends the candidate's question, which is then answered here); when NLU calls it a help-centre
    question the help centre cannot answer, the customer is told so and the question is logged for the
    knowledge team, and an out-of-scope question is declined, as outside a form. It is never taken for a
    wrong answer to the form's question. False (nothing said) when the message is not such a question: the
    form validates it as its answer."""
    question = latest_text(tracker).strip()
    intent = latest_intent(tracker)
    if intent not in ("faq", "out_of_scope", "nlu_fallback") or not is_question(question):
        return False
    try:
        answer = help_centre_answer(tracker, question)
    except KnowledgeError:
        log.exception("knowledge index unavailable")
        return False
    if answer.kind in OUTRIGHT_KINDS:
        dispatcher.utter_message(text=answer.text)
    elif intent == "nlu_fallback" or _about_what_was_asked(tracker, question):
        # unsure it is a question at all, or a question about the form's own question ("nomor hp yang mana
        # kak?"): only an outright answer steps aside; the form's own hint answers the rest
        return False
    elif answer.kind == "suggest":  # no "not these, a person" button: the form is the way on
        dispatcher.utter_message(response="utter_digression_suggestions", buttons=_suggestion_buttons(answer))
    elif answer.kind == "ask_brand":
        dispatcher.utter_message(response="utter_which_platform", buttons=_platform_buttons(question, answer))
    elif intent == "out_of_scope":  # chit-chat: declined, not a gap in the help centre worth logging
        dispatcher.utter_message(response="utter_out_of_scope")
    else:
        dispatcher.utter_message(response=NOT_FOUND_RESPONSE)
        _record(tracker, question, intent, answer, channel_facts(tracker))
    dispatcher.utter_message(response="utter_resume_form")
    return True


# Words of a question that say nothing of its subject (the form's questions are polite Indonesian)
# fmt: off
_FUNCTION_WORDS = frozenset((
    "kak", "kakak", "yang", "yg", "ya", "boleh", "saya", "sy", "aku", "bisa", "bs", "apa", "apakah", "atau",
    "dan", "di", "ke", "dari", "untuk", "utk", "ini", "itu", "dengan", "ada", "tidak", "tdk", "ga", "gak",
    "kalau", "kalo", "mau", "harus", "sudah", "udah", "belum", "blm", "berapa", "mana", "dong", "sih", "kami",
    "minta", "silakan", "baik", "dulu", "juga", "lagi", "kah",
))
# fmt: on


def _subject_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("e-mail", "email"))
    return {w.removesuffix("nya") for w in words if len(w) >= 2} - _FUNCTION_WORDS


def _about_what_was_asked(tracker: Tracker, question: str) -> bool:
    """Whether a question shares a subject word with what the bot said just before it (the form's question:
    "Nomor HP yang bisa kami hubungi, Kak?" and "kenapa harus kasih nomor hp?")."""
    said = " ".join(str(e.get("text") or "") for e in said_before_latest(tracker))
    return bool(_subject_words(question) & _subject_words(said))


def _suggestion_buttons(answer: Answer) -> list[dict[str, str]]:
    """ "Did you mean" buttons: each sends its topic's question."""
    return [{"title": o.title, "payload": o.payload} for o in answer.suggestions]


def _platform_buttons(question: str, answer: Answer) -> list[dict[str, str]]:
    """Which platform a question is about, as buttons that send it again naming the platform."""
    names = [platform_name(b) for b in answer.brands]
    return [{"title": name, "payload": f"{question} di {name}"} for name in names]


def answer_inside_request(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The message that starts a request may also ask something the help centre answers ("pesanan udh
    dibayar tp mau cancel, bisa ga", "mau retur, paling lambat kirim balik kapan"): the answer comes first,
    then the request's form asks its own question."""
    answer = _outright_answer(tracker, latest_text(tracker).strip())
    if answer is not None:
        dispatcher.utter_message(text=answer.text)


class ActionAnswerQuestion(SafeAction):
    """Answers from the FAQ/corpus, asks which request is meant, or abstains; sets answer_found (drives the
    human offer)."""

    def name(self) -> str:
        return "action_answer_question"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        facts = channel_facts(tracker)
        try:
            answer = help_centre_answer(tracker, question)
        except KnowledgeError:
            log.exception("knowledge index unavailable")
            dispatcher.utter_message(response="utter_knowledge_unavailable")
            return [SlotSet("answer_found", False)]
        return_salam(dispatcher, tracker)
        angry = is_angry(question)
        if angry:
            dispatcher.utter_message(response=SORRY_RESPONSE)
        if answer.kind in ("faq", "passage"):
            dispatcher.utter_message(text=answer.text)
            beside = action_choices(tracker, OFFER_BESIDE_ANSWER)
            if beside or angry:  # a problem told with the question: offer to act on it, not only inform
                dispatcher.utter_message(response="utter_offer_ticket", buttons=choice_buttons(beside))
            return [SlotSet("answer_found", True)]
        if answer.kind == "ask_brand":
            buttons = _platform_buttons(question, answer)
            dispatcher.utter_message(response="utter_which_platform", buttons=buttons)
            return [SlotSet("answer_found", True)]
        choices = action_choices(tracker)
        if choices or angry:
            # Not a help-centre question it can answer, and maybe a request to act: the customer picks
            # (the human is one of the buttons, so answer_found)
            dispatcher.utter_message(response="utter_clarify_request", buttons=choice_buttons(choices))
            _record(tracker, question, intent, answer, facts)
            return [SlotSet("answer_found", True)]
        if answer.kind == "suggest":
            # the human offer is one of the buttons, so answer_found: no separate offer follows
            buttons = [*_suggestion_buttons(answer), NOT_THESE]
            dispatcher.utter_message(response="utter_answer_suggestions", buttons=buttons)
        elif intent == "out_of_scope":
            # chit-chat and the like: decline politely; not a gap in the help centre worth logging
            dispatcher.utter_message(response="utter_out_of_scope")
            return [SlotSet("answer_found", False)]
        elif _previous_turn_not_found(tracker):
            # Two questions in a row the help centre cannot answer: a person should take over. The human
            # offer is moot then, so answer_found is True.
            dispatcher.utter_message(response="utter_answer_handing_over")
            request_handoff(dispatcher, reason="repeated_fallback")
            _record(tracker, question, intent, answer, facts)
            return [SlotSet("answer_found", True)]
        else:
            dispatcher.utter_message(response=NOT_FOUND_RESPONSE)
        _record(tracker, question, intent, answer, facts)
        return [SlotSet("answer_found", answer.kind == "suggest")]


class ActionDefaultFallback(ActionAnswerQuestion):
    """Rasa's core fallback (config.yml), for a message after which no rule or story knows what comes next:
    most often a question read as a bare "yes" or "no" with nothing asked ("jadi bisa dibatalin ga?" after an
    order's status is NLU's `deny`). A question is answered as a help-centre question; anything else gets
    nothing from Rasa, and the gateway asks the customer to say it another way. Either way the message is
    reverted, as Rasa's own fallback does, so that it does not steer what the next message starts. A message
    that NLU found also plausibly a request ("saya mau komplain, nama saya Budi, no hp 0812…, pesanan … belum
    dikirim" reads as `inform`: its data outweighs its request) gets the requests to choose from instead."""

    def name(self) -> str:
        return "action_default_fallback"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if is_question(latest_text(tracker)):
            super().act(dispatcher, tracker, domain)
        elif choices := action_choices(tracker):
            dispatcher.utter_message(response="utter_clarify_request", buttons=choice_buttons(choices))
        return [UserUtteranceReverted()]
