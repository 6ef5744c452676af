"""Files from the field (photos, signatures, forms): upload, verification, evidence, cleanup.

The domain reaches the file store and the image decoder only through the ports of port.py;
``wellspring/media/`` holds the adapters and ``api/`` wires them into the domain
configuration (``DomainConfig.media``).
"""
