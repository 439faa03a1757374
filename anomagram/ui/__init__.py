"""Everything that imports Streamlit: one package per page, ``common`` for what pages share.

``streamlit_patches`` holds every hook into Streamlit's private API; ``streamlit_app.py``
installs them explicitly (importing this package changes nothing).
"""
