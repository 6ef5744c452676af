"""The reports (issue 18): the numbers the company runs on, as root queries."""
