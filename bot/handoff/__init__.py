"""Human handoff: the conversation state machine, the queue, business hours, agents, satisfaction ratings."""
