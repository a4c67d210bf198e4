"""Web push: VAPID keys, browser subscriptions per device, the outbox and its delivery worker."""
