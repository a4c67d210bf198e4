"""Wristbands over MQTT and HTTP: the payload, the rules that turn vitals into alarms, the gateway."""
