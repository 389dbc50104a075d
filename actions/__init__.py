"""Rasa actions, served by `python -m rasa_sdk --actions actions`."""

from bot.infra.logs import mask_existing_handlers

# rasa_sdk sets up its own plain-text logging before it imports this package: mask phone numbers and
# e-mail addresses in it as the gateway does (an order system's URL, an exception's text may hold them).
mask_existing_handlers()
