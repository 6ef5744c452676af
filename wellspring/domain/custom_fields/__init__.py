"""Extra fields HQ defines for customers, devices and tickets (issue 18 §4)."""
