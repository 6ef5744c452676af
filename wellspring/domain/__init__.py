"""The business core: models, use cases, state machines and who may see what.

Free of any transport: nothing here imports graphene, Starlette or a vendor SDK.
"""
