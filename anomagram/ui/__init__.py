"""Streamlit widgets and cached resources shared by the pages (the only Streamlit code in the
package; everything below ``anomagram/`` outside this folder is plain Python)."""
