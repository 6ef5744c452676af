"""Who hears what (routing), the in-app inbox and push devices (use cases), the periodic facts."""
