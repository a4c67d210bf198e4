"""Wearables relayed by an edge node: wristbands' position, vitals and battery, latest and a short history."""
