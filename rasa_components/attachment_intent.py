"""A message that is only a file (a photo without a caption, or "ini kak" under it) is `send_media`.

NLU reads such a message by its words alone: the gateway's stand-in "(mengirim lampiran)" went wherever the
classifier put it, and "ini kak" under a photo was a bot challenge ("Saya asisten virtual (bot)"). What the
customer did is plain from the message's metadata (the channel's media list) and a caption that says nothing
more (knowledge.phrasing.only_hands_over), so this component decides it, after the classifier and before
the fallback threshold, with confidence 1. A caption that says something ("paketnya pecah kak") is left to
the classifier. The intent has no training examples: nothing but a file is ever classified as it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.phrasing import only_hands_over

MEDIA_INTENT = "send_media"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AttachmentIntent(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AttachmentIntent:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get(METADATA) or {}
            if not (isinstance(metadata, dict) and metadata.get("media")):
                continue
            if not only_hands_over(message.get(TEXT) or ""):
                continue
            intent = {"name": MEDIA_INTENT, "confidence": 1.0}
            others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != MEDIA_INTENT]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *others], add_to_output=True)
        return messages
