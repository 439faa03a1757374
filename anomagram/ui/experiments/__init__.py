"""The Experiments page: vary one setting over several seeds and plot AUC against it.

- ``form``: the setting, its values and seeds (filled from a link if one was followed, with
  the data it names), the data the sweep runs on, Run.
- ``run``: the sweep running, with progress, Cancel and a live chart.
- ``results``: the chart, what it shows, tables and downloads.

Behind them: ``job`` (one sweep's state and which finished runs count), ``state`` (session
keys), ``logic`` (offered values, links, checks, time estimates) and ``summary`` (tables and
the explanation), the last three without Streamlit.
"""
