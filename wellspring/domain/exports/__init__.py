"""Exports of the dispatcher's lists: the same rows as the list (its filters, its visibility),
page by page through the list's own query, as plain values for a file writer."""
