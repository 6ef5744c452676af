"""StartImport and Import($id): bulk import through the API (HQ and admins)."""
