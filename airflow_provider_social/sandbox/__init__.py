"""The strict local emulator of the social/cloud APIs (see :mod:`.app` for the prefixes).

Submodules import Starlette/uvicorn; this package module imports nothing so the pytest plugin stays light.
"""
