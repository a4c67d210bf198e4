"""Durable timers: reminders, escalations and daily checks are rows fired by one leased scheduler."""
