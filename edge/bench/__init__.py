"""`tezuo bench edge`: detector time per frame, rule-engine overhead, polling CPU, false alarms, latency."""
