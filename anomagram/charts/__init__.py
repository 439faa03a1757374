"""Altair chart builders for the Anomagram app.

Every builder is a pure function from numpy/pandas data to an Altair chart (or, for the network
diagram, a plain Vega-Lite dict). Nothing in this package imports streamlit or keras, so the
charts can be built and checked in plain unit tests. The design rules all builders follow are
in ``anomagram.charts.style``. Builders that show classes name and colour them by a
``ClassStyle``: ECG5000's by default, ``ClassStyle.of(dataset)`` for any other dataset.

Modules: ``style`` (palette, titles, sizes, ``to_vega``), ``beats``, ``training`` (loss, error
histogram, ROC), ``latent``, ``evaluation`` (confusion matrix, per class, leaderboard), ``sweep``,
``network``, and ``introduction`` (charts only the Introduction page draws; import it directly).
"""

from anomagram.charts.beats import beat_chart, beat_sparkline, beats_by_class, scaling_chart
from anomagram.charts.evaluation import (
    confusion_matrix_chart,
    leaderboard_chart,
    per_class_chart,
)
from anomagram.charts.latent import latent_scatter
from anomagram.charts.network import network_spec
from anomagram.charts.style import (
    ABNORMAL_COLOR,
    BASELINE_COLOR,
    CHANCE_COLOR,
    CLASS_COLORS,
    DEFAULT_HEIGHT,
    EPOCH_AXIS_TITLE,
    ERROR_AXIS_TITLE,
    ERROR_FILL,
    INPUT_COLOR,
    LOSS_AXIS_TITLE,
    MODEL_COLOR,
    NORMAL_COLOR,
    OTHER_CLASS_COLOR,
    RAW_AMPLITUDE,
    RECON_COLOR,
    SCALED_AMPLITUDE,
    TEXT_COLOR,
    TRAIN_COLOR,
    VAL_COLOR,
    AnyChart,
    ClassStyle,
    to_vega,
)
from anomagram.charts.sweep import sweep_chart
from anomagram.charts.training import error_histogram, loss_chart, roc_chart

__all__ = [
    "ABNORMAL_COLOR",
    "BASELINE_COLOR",
    "CHANCE_COLOR",
    "CLASS_COLORS",
    "DEFAULT_HEIGHT",
    "EPOCH_AXIS_TITLE",
    "ERROR_AXIS_TITLE",
    "ERROR_FILL",
    "INPUT_COLOR",
    "LOSS_AXIS_TITLE",
    "MODEL_COLOR",
    "NORMAL_COLOR",
    "OTHER_CLASS_COLOR",
    "RAW_AMPLITUDE",
    "RECON_COLOR",
    "SCALED_AMPLITUDE",
    "TEXT_COLOR",
    "TRAIN_COLOR",
    "VAL_COLOR",
    "AnyChart",
    "ClassStyle",
    "beat_chart",
    "beat_sparkline",
    "beats_by_class",
    "confusion_matrix_chart",
    "leaderboard_chart",
    "error_histogram",
    "latent_scatter",
    "loss_chart",
    "network_spec",
    "per_class_chart",
    "roc_chart",
    "scaling_chart",
    "sweep_chart",
    "to_vega",
]
