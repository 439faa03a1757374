"""The Train page, one module per thing a user sees, top to bottom.

- ``data_panel``: above everything, the data to learn from (ECG5000, a UCR dataset by name or
  the visitor's CSV, with its layout), its normal class, and a preview in a popover; behind it
  ``data_state`` (adopting data only once it loads, links that name data, which data a model
  was trained on) and ``data_charts`` (charts that name the dataset's own classes).
- ``composer``: the presets, then sections 1 and 2, the network (layers, bottleneck,
  activations, live diagram) and the training/data settings, generated from the Spec's field
  table and mirrored to the URL.
- ``action_bar``: Train / Continue, Pause, Skip to the end, Reset, the Watch/Fast speed and a
  note; while a run is live it scrolls itself to the top of the window. It also fills the
  second Train button beside the presets ("Train now"), the one in a laptop's first screen.
- ``results``: the panel below (one fragment): ``status`` (progress, hints) beside the
  threshold slider, ``chart_grid`` (error histogram and ROC, loss and bottleneck, then the
  panel toggles and reading guides), ``live`` (training: Watch draws every epoch as a paced
  frame, Fast only the result), ``evaluation`` (threshold strategy, tiles, confusion matrix,
  per-class rates), ``comparison`` (the leaderboard against five classic detectors fitted in
  the background, and the detector the ROC chart overlays) and ``export`` (download the model).

Behind them: ``run_state`` (button requests, the model's phase, building trainers, the
training lock), ``thresholds`` (the chosen threshold, shared with the Score page),
``model_pool`` (compiled models kept warm in the background) and ``widgets`` (small helpers).
"""
