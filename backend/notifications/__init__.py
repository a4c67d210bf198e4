"""In-app notifications: one row per recipient (web push can fan out from the same rows later)."""
