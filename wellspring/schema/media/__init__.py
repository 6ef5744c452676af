"""Job attachments over GraphQL: RequestUpload, ConfirmUpload, the Attachment type."""
