"""The provider's Airflow plugin (``plugins/plugin.py``): one-click authorisation of social connections and a
credentials health page, served by a FastAPI app on the API server."""
