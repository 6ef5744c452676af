"""Rules of phone sync that are business rules, not protocol (the protocol is mobile_sync/)."""
