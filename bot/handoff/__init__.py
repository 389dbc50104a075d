"""Human handoff: the conversation state machine, the queue, agents and their console."""
