"""HTTP plumbing: middleware (body limit, request id) and static files with validators."""
