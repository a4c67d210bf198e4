"""Authentication: one-time enrollment codes, passkeys (WebAuthn), sessions, devices."""
