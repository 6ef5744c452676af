"""Notifications: the transactional outbox, its worker and the senders behind one port.

The domain says what happened (``domain.events``) and who hears it (``domain.notifications``);
this package writes those events as outbox rows in the same transaction (:mod:`.outbox`),
turns them into inbox items and deliveries (:mod:`.fanout`) and sends the deliveries through
the configured channels (:mod:`.senders`), from a worker loop (:mod:`.worker`).
"""
