"""What the pages share, so no page reads another page's private state.

- ``state``: the session's Spec, trained model and chosen threshold, through named accessors.
- ``resources``: cached read-only resources (the dataset, the pretrained model, its replay)
  and the background warm-up of Keras.
- ``tiles``: metric tiles and number formats.
- ``navigation``: links between pages.
- ``uploads``: the file uploaders' own size limit, from the page's limit for that file.
"""
