"""Master-data mutations: thin doors onto ``wellspring.domain.masterdata``."""
