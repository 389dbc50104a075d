"""What operations watches: GET /health (each dependency's state) and GET /metrics (Prometheus)."""
