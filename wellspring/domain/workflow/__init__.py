"""The ticket and job state machine and the use cases that move work along domain.md's spine.

created → approved → dispatched → assigned → appointed → en route → on site → completed →
follow-up due → closed; rejected at approval, cancelled before completion.
"""
