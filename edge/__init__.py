"""Tezuo edge node: gas detectors, cameras, behaviour rules and interlocks (see issue 10)."""
