"""HTTP parts every route shares: FastAPI dependencies (settings, sessions, staff) and the error handlers."""
