"""The Score page: bring beats, pick a model, read the verdicts.

- ``data_panel``: step 1, upload, paste or the example file, and how to read it.
- ``model_panel``: step 2, the pretrained model, this session's, or an uploaded ``.keras`` file,
  and the data it was trained on (any dataset: beats are resampled to the model's length).
- ``example``: the example file for the chosen model (its own dataset's beats, or none).
- ``results``: step 3, reads and scores once per (data, model); then ``verdicts`` (the
  threshold slider, counts, comparison with labels, histogram) and ``beats`` (the table, one
  beat against its reconstruction, the CSV download).

Behind them: ``state`` (the page's session keys and kept uploads) and ``logic`` (what the page
computes, without Streamlit).
"""
