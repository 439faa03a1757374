"""The Train page, one module per thing a user sees, top to bottom.

- ``composer``: section 1 and 2, the network (layers, bottleneck, activations, live diagram)
  and the training/data settings, generated from the Spec's field table and mirrored to the URL.
- ``action_bar``: Train / Continue, Pause, Reset and the note beside them.
- ``results``: the panel below (one fragment): ``status`` (progress, hints), ``chart_grid``
  (loss, error histogram, ROC, bottleneck), ``live`` (training with the charts updating),
  ``evaluation`` (threshold strategy, slider, tiles, confusion matrix, per-class rates) and
  ``export`` (download the model).

Behind them: ``run_state`` (button requests, the model's phase, building trainers, the
training lock), ``thresholds`` (the chosen threshold, shared with the Score page),
``model_pool`` (compiled models kept warm in the background) and ``widgets`` (small helpers).
"""
