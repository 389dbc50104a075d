"""SQLAlchemy models, one module per area; import them from here (Alembic reads `Base.metadata`)."""

from bot.store.models.agents import Agent, AgentSession, LoginAttempt
from bot.store.models.base import Base, UTCDateTime, utcnow
from bot.store.models.cases import Complaint, ComplaintEvent, ReturnEvent, ReturnEvidence, ReturnRequest
from bot.store.models.conversations import (
    Conversation,
    ConversationEvent,
    ConversationState,
    Direction,
    Message,
    MessageStatus,
    Outbox,
    OutboxStatus,
)
from bot.store.models.knowledge import KnowledgeEdit, UnansweredQuestion
from bot.store.models.orders import Order, OrderItem

__all__ = [
    "Agent",
    "AgentSession",
    "Base",
    "Complaint",
    "ComplaintEvent",
    "Conversation",
    "ConversationEvent",
    "ConversationState",
    "Direction",
    "KnowledgeEdit",
    "LoginAttempt",
    "Message",
    "MessageStatus",
    "Order",
    "OrderItem",
    "Outbox",
    "OutboxStatus",
    "ReturnEvent",
    "ReturnEvidence",
    "ReturnRequest",
    "UTCDateTime",
    "UnansweredQuestion",
    "utcnow",
]
