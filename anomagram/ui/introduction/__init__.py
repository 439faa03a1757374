"""The Introduction page, one module per panel or chapter, top to bottom.

- ``hero``: title, the idea in two lines, four key numbers in a row, the contents line with
  the disclaimer; short, so section 1's gallery and verdict fit the first screen.
- ``gallery``: section 1, "Try it": click a real test beat, see its reconstruction and verdict.
- ``drawing``: section 2, draw (or edit) a beat on a canvas; how strokes become 140 samples.
- ``lesson``: sections 3-8 as tabs, and the list of chapters:
  ``architecture`` (how it works), ``dataset`` (the data), ``replay`` (training replay),
  ``thresholds`` (choosing a threshold), ``accuracy`` (accuracy is not enough), ``insights``.

Behind them: ``page_data`` (cached numbers the page shows), ``model_loading`` (panels that need
the pretrained model wait for it without holding up the first paint) and ``views`` (section
headers, showing a chart or an HTML block). The pure Altair/HTML builders used only here live in
``anomagram.charts.introduction``.
"""
