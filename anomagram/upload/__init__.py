"""Parse a user's CSV of heartbeats (one beat per row) for scoring.

Used by the "Score your data" page and the CLI ``score`` command; it must not import
streamlit. The contract is that bad input never raises anything but :class:`UploadError`
and never loses a row without saying so:

* Whole-file problems (empty, blank, binary, over ``MAX_BYTES`` or ``MAX_ROWS``, header only,
  a single column, nothing scoreable, a ``label_column`` outside the table) raise
  :class:`UploadError` with one sentence that says what to do.
* A row that cannot be scored is listed in ``ParsedBeats.rejected`` with its 1-based line
  number as an editor shows it (header and blank lines count) and a plain-words reason; the
  other rows are still returned.
* Anything that was changed or guessed (resampling, labels read as unknown, decimal commas,
  a dropped row-index column, a non-UTF-8 file, a label column found among whole-number
  beats) is reported in ``ParsedBeats.warnings``.
* A NaN, infinite or too large cell rejects its row with the cell quoted as the file has it
  (``column 6 ('1e400') is too large ...``).

Format decisions:

* Delimiter: comma, semicolon, tab, ``|`` or runs of whitespace, chosen as the one that
  yields the most numeric cells in the first rows. Quoted cells (``"0.5"``) are unquoted.
* Decimal commas are *parsed*, not rejected, with a warning: ``0,5;1,25`` (European Excel)
  and, with a comma delimiter, quoted ``"0,5","1,25"`` (pandas' ``decimal=","``). When the
  commas cannot be told apart the file is refused with what to do: ``0,5,1,25`` unquoted
  (seen as whole numbers, some with a leading zero or ``-0``), or every comma value shaped
  like a thousands group (``1,234``: 1.234 or 1234?).
* Encoding: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode text") or
  without one (every other byte zero), else Latin-1; each guess is reported.
* Header: the first non-blank row is a header when most of its cells are not numbers, or
  when its numbers are a run of consecutive integers such as ``0,1,...,139`` (pandas column
  names), and a data row follows.
* A first column holding the row numbers 0,1,2,... or 1,2,3,... (``DataFrame.to_csv`` with
  its index), with values beyond the label range, is not used as beat values; a warning says so.
* Trailing empty cells are ignored (spreadsheets pad ragged rows); an empty cell inside a
  row rejects the row. Blank lines are skipped; they hold no beat.
* Limits: ``MAX_BYTES`` (5 MB) of file (:func:`check_size` refuses by size alone, before
  reading) and ``MAX_ROWS`` (10,000) beats per file; each
  beat needs at least ``MIN_LENGTH`` (10) values. Longer or shorter beats are linearly
  resampled to ``n`` values: the model's length (``SEQ_LEN``, 140, for ECG5000).

Labels (see :func:`detect_label_column` for the auto rule) are read in the words of the
model's data: ``parse_beats(..., classes=LabelClasses.of_model(detector.dataset))``
(``anomagram.upload.labels.LabelClasses``).
``ParsedBeats.labels`` holds a class code per beat, :data:`ABNORMAL` (6) for a beat only known
to be abnormal, and :data:`UNKNOWN_LABEL` (0) where the cell could not be read as a label (the
beat is still scored); the normal class is code 1 in both readings below.

For a model of ECG5000, or a model file that does not describe its data (``classes`` None),
the codes are ECG5000's class ids and cells are read as:

* an integer 1..5 (``"3"``, ``"3.0"``, ``"3e0"``) -> that class id;
* the words ``normal`` -> 1 and ``abnormal`` / ``anomaly`` / ``anomalous`` -> 6 (any case);
* in a column whose numeric labels are only 0 and 1 (with at least one 0): 1 -> 1 (normal),
  0 -> 6 (abnormal), the convention of the ECG5000 copy in the TensorFlow autoencoder
  tutorial and consistent with class 1 meaning normal; a warning names the convention;
* anything else -> 0, and the beat is still scored.

For a model of another dataset (:class:`LabelClasses`: the label texts that data wrote, its
normal one and the class names), a cell, trimmed and in any case, is read as:

* one of the dataset's labels (``-1``; a number equal to one, ``-1.0``, too) or one of its class
  names (``Myocardial infarction``) -> that class: code 1 for the normal class, then 2, 3, ...
  (skipping 6) for the others from the most to the least frequent (``LabelClasses.codes``);
* the words ``normal`` -> 1 and ``abnormal`` / ``anomaly`` / ``anomalous`` -> 6, when no class
  is called so (a class named ``Anomaly`` is that class);
* anything else (ECG5000's 2-5, a 0 in a 0/1 column of a model whose labels are -1 and 1) -> 0.

A model of data without labels has no classes: only the words are read.

Modules: ``reading`` (bytes to rows: limits, decoding, delimiter, decimal commas, header),
``labels`` (the label column and label codes), ``parse`` (``parse_beats``: row checks,
resampling, warnings) and ``scores`` (the downloadable scores table).
"""

from anomagram.data import SEQ_LEN
from anomagram.upload.labels import ABNORMAL, UNKNOWN_LABEL, detect_label_column
from anomagram.upload.parse import MAX_ROWS, ParsedBeats, parse_beats
from anomagram.upload.reading import MAX_BYTES, MIN_LENGTH, RejectedRow, UploadError, check_size
from anomagram.upload.scores import scores_csv

__all__ = [
    "ABNORMAL",
    "MAX_BYTES",
    "MAX_ROWS",
    "MIN_LENGTH",
    "SEQ_LEN",
    "UNKNOWN_LABEL",
    "ParsedBeats",
    "RejectedRow",
    "UploadError",
    "check_size",
    "detect_label_column",
    "parse_beats",
    "scores_csv",
]
