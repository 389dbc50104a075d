"""Infrastructure under every layer: locks, rate limits, background tasks, logs, Prometheus counters."""
