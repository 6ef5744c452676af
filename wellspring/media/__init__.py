"""Media adapters: the object stores (local folder, S3 through boto3) and the Pillow checker
behind the ports of ``wellspring.domain.media.port``, and their wiring from the settings."""
