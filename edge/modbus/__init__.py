"""Modbus: one hub per bus (lock, inter-frame delay, reconnect with backoff), register decoding."""
