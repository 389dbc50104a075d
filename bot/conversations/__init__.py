"""Conversations: every customer message is stored first, then answered by the bot, one turn at a time.

The gateway owns the conversation. Rasa sees an opaque sender id (the conversation's public id) and the
channel facts in metadata; control payloads in Rasa's replies (a handoff request) are acted on here and
never shown to the customer.

- `types`: the values channels hand over and get back (`Inbound`, `Reply`, ...), the `Outlet` and `Feed`
  protocols, and how a stored message is shown (`message_view`).
- `store`: `ConversationStore`, every read and write of conversations and messages a turn needs (the
  widget's history too).
- `rasa`: the `Bot` protocol a turn asks for replies, and its Rasa implementation.
- `fanout`: stored messages and state changes handed to the channel's outlet and the agent consoles.
- `turns`: `ConversationRouter`, turn-taking (a conversation lock, oldest message first) and what a turn
  answers: the bot, the gateway itself, or nothing while a human has the conversation.
- `texts`: what the gateway itself tells customers.
"""
