"""A whole site on loopback: gas detectors and a PLC as a real Modbus server, and a scripted camera."""
