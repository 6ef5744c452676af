"""Service outlets: their desk, assessments and settlements (issue 18)."""
