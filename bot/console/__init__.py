"""The agent console: its page and live socket, the JSON API of conversations, complaints, returns and
knowledge, and the views of conversations it shows."""
