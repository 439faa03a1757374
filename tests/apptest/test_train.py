"""AppTest of the Train page: composer, live training, pause/continue, threshold, URL, errors."""

from __future__ import annotations

import json

import pytest
from common import COSTLY_LINK
from streamlit.testing.v1 import AppTest
from train_page import PAGE, click_train, go_button, no_exception, start_button

from anomagram.presets import preset_spec
from anomagram.spec import Spec
from anomagram.training import Trainer

FAST = Spec(train_size=500, test_size=100, batch_size=128)
GRID_TITLES = (
    "Training progress",
    "Reconstruction error of test beats",
    "ROC curve",
    "Bottleneck (latent) space",
)


def new_app(spec: Spec | None = None, speed: str = "fast", **query) -> AppTest:
    """The Train page; runs in Fast mode unless ``speed="watch"``.

    Watch mode sleeps out a 0.1 s frame per epoch for people to see; AppTest has no browser,
    so only the tests about pacing pay for it.
    """
    at = AppTest.from_file(PAGE, default_timeout=90)
    if spec is not None:
        at.session_state["spec"] = spec
    if speed is not None:
        at.session_state["train_speed"] = speed
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def chart_titles(at: AppTest) -> list[str]:
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def chart_data(at: AppTest, title_start: str) -> list:
    """The data tables (Arrow datasets) of the chart whose title starts with ``title_start``."""
    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if str(spec.get("title", {}).get("text", "")).startswith(title_start):
            return [
                pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets
            ]
    raise AssertionError(f"no chart titled {title_start!r}: {chart_titles(at)}")


def network_diagrams(at: AppTest) -> list[dict]:
    """Specs of the composer's network diagram (charts.network_spec) on the page."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    return [s for s in specs if str(s.get("description", "")).startswith("Autoencoder")]


def status_texts(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


@pytest.fixture(scope="module")
def trained():
    """One page session that trained the small spec once (shared to keep the file fast)."""
    at = new_app(FAST)
    return click_train(at)


def test_page_renders_with_defaults():
    at = new_app(speed=None)
    no_exception(at)
    # Watch is the default pace, offered beside the Train button.
    assert at.session_state["train_speed"] == "watch"
    assert at.segmented_control(key="train_speed_w").value == "watch"
    assert [b.disabled for b in at.button if str(b.key).startswith("train_skip_")] == [True]
    assert at.title[0].value.endswith("Train a model")
    assert at.session_state["spec"] == Spec()
    assert go_button(at).label == "▶ Train"
    assert start_button(at).label == "▶ Train now" and not start_button(at).disabled
    assert [b.disabled for b in at.button if str(b.key).startswith("train_pause_")] == [True]
    (diagram,) = network_diagrams(at)
    assert diagram["description"] == "Autoencoder architecture: 140 → 7 → 3 → 2 → 3 → 7 → 140"
    assert not at.get("graphviz_chart")
    assert any("No trained model yet" in i.value for i in at.info)
    assert dict(at.query_params) == {}


def test_the_train_button_in_the_first_screen_trains_like_the_bars():
    at = new_app(FAST)
    start_button(at).click().run()
    no_exception(at)
    assert at.session_state["trainer"].epochs_done == FAST.epochs
    assert start_button(at).label == "▶ Train more"
    assert go_button(at).label == f"▶ Train {FAST.epochs} more epochs"
    start_button(at).click().run()  # continues, as the bar's button does
    no_exception(at)
    assert at.session_state["trainer"].epochs_done == 2 * FAST.epochs
    # Other settings: the model is stale, and the button starts a new one.
    at.button(key="train_add_layer").click().run()
    assert start_button(at).label == "▶ Train now"
    start_button(at).click().run()
    assert at.session_state["trainer"].epochs_done == FAST.epochs
    assert len(at.session_state["trainer"].spec.hidden) == len(FAST.hidden) + 1


def test_composer_edits_the_spec_and_marks_the_model_stale(trained):
    at = trained
    assert not any("Settings changed" in m.value for m in at.markdown)
    at.button(key="train_add_layer").click().run()
    assert at.session_state["spec"].hidden == (7, 3, 3)
    (diagram,) = network_diagrams(at)  # the diagram follows the composer
    assert diagram["description"].endswith("140 → 7 → 3 → 3 → 2 → 3 → 3 → 7 → 140")
    assert any("Settings changed since this model was trained" in m.value for m in at.markdown)
    at.number_input(key="train_units_0").increment().run()
    assert at.session_state["spec"].hidden == (8, 3, 3)
    at.number_input(key="train_latent").set_value(3).run()
    assert at.session_state["spec"].latent == 3
    at.button(key="train_remove_layer").click().run()
    at.number_input(key="train_units_0").decrement().run()
    at.number_input(key="train_latent").set_value(2).run()
    no_exception(at)
    # Back to the trained architecture: nothing is stale any more.
    assert at.session_state["spec"] == FAST
    assert not any("Settings changed" in m.value for m in at.markdown)


def test_layer_limits_are_enforced_with_a_message():
    at = new_app(FAST.replace(hidden=(8, 8, 8, 8, 8, 8)))
    assert at.button(key="train_add_layer").disabled
    assert any("Maximum of 6 layers" in c.value for c in at.caption)
    at = new_app(FAST.replace(hidden=(8,)))
    assert at.button(key="train_remove_layer").disabled
    no_exception(at)


def test_training_draws_every_chart_and_the_tiles(trained):
    at = trained
    trainer = at.session_state["trainer"]
    assert trainer.epochs_done == FAST.epochs
    assert any(f"Trained {FAST.epochs} epochs" in t for t in status_texts(at))
    titles = chart_titles(at)
    for title in GRID_TITLES:
        assert any(t.startswith(title) for t in titles), (title, titles)
    assert any(t.startswith("Confusion matrix") for t in titles)
    assert any(t.startswith("Which beats get flagged") for t in titles)
    labels = {m.label for m in at.metric}
    assert {"Accuracy", "Precision", "Recall", "F1", "AUC", "False pos. rate"} <= labels
    assert isinstance(at.session_state["threshold"], float)
    assert at.download_button(key="train_download").label.startswith("⬇️ Download")


def test_threshold_slider_moves_metrics_and_histogram_line(trained):
    at = trained
    before = {m.label: m.value for m in at.metric}
    slider = at.slider(key="train_threshold_w")
    new = slider.min + (slider.max - slider.min) * 0.05
    slider.set_value(new).run()
    no_exception(at)
    assert at.session_state["threshold"] == pytest.approx(new)
    assert at.session_state["train_strategy"] == "manual"
    after = {m.label: m.value for m in at.metric}
    assert (
        after["Recall"] != before["Recall"] or after["False pos. rate"] != before["False pos. rate"]
    )
    rules = [t for t in chart_data(at, "Reconstruction error") if "threshold" in t.columns]
    assert rules and rules[0]["threshold"][0] == pytest.approx(new)
    # A strategy puts the threshold back where that strategy says.
    at.selectbox(key="train_strategy_w").select("percentile").run()
    no_exception(at)
    trainer = at.session_state["trainer"]
    assert at.session_state["threshold"] == pytest.approx(trainer.threshold("percentile"))


def test_continue_keeps_counting_epochs(trained):
    at = trained
    done = at.session_state["trainer"].epochs_done
    assert go_button(at).label == f"▶ Train {FAST.epochs} more epochs"
    click_train(at)
    assert at.session_state["trainer"].epochs_done == done + FAST.epochs
    assert any(f"Trained {done + FAST.epochs} epochs" in t for t in status_texts(at))


def test_a_paused_run_continues_to_its_target(ecg):
    trainer = Trainer.create(FAST, ecg)
    trainer.train(5)
    trainer.status = "stopped"  # what an interrupting click leaves behind
    first_losses = list(trainer.loss)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["spec"] = FAST
    at.session_state["train_speed"] = "fast"
    at.session_state["trainer"] = trainer
    at.session_state["train_target"] = FAST.epochs
    at.run()
    no_exception(at)
    assert any("Paused at epoch 5 of 30" in t for t in status_texts(at))
    assert go_button(at).label == "▶ Continue to epoch 30"
    click_train(at)
    assert at.session_state["trainer"] is trainer
    assert trainer.epochs_done == 30
    assert trainer.loss[:5] == first_losses  # the history goes on, it does not restart
    assert len(trainer.loss) == 30


def test_watch_mode_paces_every_epoch_as_a_frame():
    # Watch draws each epoch and holds it for FRAME_SECONDS: 5 epochs cannot end sooner than
    # 4 frames (the last epoch is drawn with the final charts, not held).
    import time

    from anomagram.ui.train.live import FRAME_SECONDS

    at = new_app(FAST.replace(epochs=5), speed="watch")
    start = time.perf_counter()
    click_train(at)
    assert time.perf_counter() - start >= 4 * FRAME_SECONDS
    assert at.session_state["trainer"].epochs_done == 5
    assert at.session_state["train_speed"] == "watch"


def _stopped_watch_run(ecg) -> tuple[Trainer, AppTest]:
    """A Watch run of FAST stopped after 4 of its epochs, as a click mid-run leaves it."""
    trainer = Trainer.create(FAST, ecg)
    trainer.train(4)
    trainer.status = "stopped"
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["spec"] = FAST
    at.session_state["train_speed"] = "watch"
    at.session_state["trainer"] = trainer
    at.session_state["train_target"] = FAST.epochs
    return trainer, at


def test_skip_to_the_end_finishes_the_interrupted_run(ecg):
    # What a Skip click leaves: a Watch run stopped after some epochs, and a "skip" request.
    trainer, at = _stopped_watch_run(ecg)
    at.session_state["train_request"] = "skip"
    at.run()
    no_exception(at)
    assert trainer.epochs_done == FAST.epochs
    assert any(f"Trained {FAST.epochs} epochs" in t for t in status_texts(at))
    assert at.session_state["train_speed"] == "watch"  # skipping is for this run only
    assert "train_skip" not in at.session_state


def test_switching_to_fast_during_a_run_finishes_that_run(ecg):
    trainer, at = _stopped_watch_run(ecg)
    at.run()
    assert any("Paused at epoch 4 of 30" in t for t in status_texts(at))
    # What a speed click in the middle of a Watch run finds: the run it just stopped.
    at.session_state["train_running"] = True
    at.segmented_control(key="train_speed_w").set_value("fast").run()
    no_exception(at)
    assert trainer.epochs_done == FAST.epochs
    assert at.session_state["train_speed"] == "fast"
    # A speed change with no run to go on only changes the pace of the next one.
    at.segmented_control(key="train_speed_w").set_value("watch").run()
    assert trainer.epochs_done == FAST.epochs


def test_skip_after_the_run_ended_does_nothing(trained):
    at = trained
    done = at.session_state["trainer"].epochs_done
    at.session_state["train_request"] = "skip"
    at.run()
    no_exception(at)
    assert at.session_state["trainer"].epochs_done == done


def test_reset_rebuilds_from_the_spec(trained):
    at = trained
    old = at.session_state["trainer"]
    at.button(key="train_reset").click().run()
    no_exception(at)
    trainer = at.session_state["trainer"]
    assert trainer is not old and trainer.epochs_done == 0
    assert go_button(at).label == "▶ Train"


def test_query_params_round_trip_the_spec():
    at = new_app(abnormal_pct="30", optimizer="sgd")
    no_exception(at)
    spec = at.session_state["spec"]
    assert spec.abnormal_pct == 30 and spec.optimizer == "sgd"
    assert at.selectbox(key="train_optimizer").value == "sgd"
    # A widget edit goes to the spec and on to the URL.
    at.selectbox(key="train_optimizer").select("rmsprop").run()
    assert at.session_state["spec"].optimizer == "rmsprop"
    url = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert url == {"abnormal_pct": "30", "optimizer": "rmsprop"}
    assert Spec.from_query_params(url) == at.session_state["spec"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"hidden": "0,3"}, "Hidden layer 1 needs between 1 and"),
        ({"learning_rate": "-1"}, "learning rate must be a positive number"),
        ({"latent": "two"}, "Latent size must be a whole number"),
    ],
)
def test_bad_links_warn_and_keep_the_settings(query, problem):
    at = new_app(**query)
    no_exception(at)
    assert any(problem in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.session_state["spec"] == Spec()


def test_a_spec_that_cannot_be_built_shows_why():
    # Valid on its own, but the pool has fewer than 4000 normal beats.
    at = new_app(train_size="4000")
    click_train(at)
    assert any("cannot be built" in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state.get("trainer") is None


def test_a_diverging_run_warns_and_keeps_finite_charts():
    spec = FAST.replace(
        optimizer="momentum", learning_rate=10.0, activation="elu", output_activation="linear"
    )
    at = click_train(new_app(spec))
    trainer = at.session_state["trainer"]
    assert trainer.status == "diverged"
    assert any("diverged" in w.value for w in at.warning), [w.value for w in at.warning]
    if trainer.epochs_done:
        assert any(t.startswith("Training progress") for t in chart_titles(at))
    assert go_button(at).label == "▶ Train"


def test_a_flat_loss_gets_a_hint():
    at = click_train(new_app(FAST.replace(optimizer="sgd")))
    hints = [i.value for i in at.info if "barely moved" in i.value]
    assert hints and "Try Adam" in hints[0], [i.value for i in at.info]


def test_the_stuck_hint_never_suggests_the_optimizer_already_chosen():
    from types import SimpleNamespace

    from anomagram.ui.train.status import loss_hint

    flat = [0.05, 0.0499, 0.0499, 0.0498, 0.0498, 0.0498]
    adam = loss_hint(SimpleNamespace(loss=flat, spec=Spec(optimizer="adam")))
    assert "barely moved" in adam and "Adam" not in adam.split("model is stuck.")[1]
    sgd = loss_hint(SimpleNamespace(loss=flat, spec=Spec(optimizer="sgd")))
    assert "Try Adam" in sgd


def test_the_divergence_demo_really_diverges():
    at = new_app(FAST)
    at.segmented_control(key="train_preset_w").set_value("diverges").run()
    assert at.session_state["spec"] == preset_spec("diverges", FAST)
    click_train(at)
    assert at.session_state["trainer"].status == "diverged"
    assert any("diverged" in w.value for w in at.warning), [w.value for w in at.warning]


def test_exported_model_round_trips(trained, tmp_path):
    from anomagram.model import load_detector
    from anomagram.ui.train.export import model_bytes

    trainer = trained.session_state["trainer"]
    if trainer.epochs_done == 0:  # the reset test may have run first
        trainer.train(3)
    path = tmp_path / "anomagram-model.keras"
    path.write_bytes(model_bytes(trainer, 0.0123, {"source": "test"}))
    detector = load_detector(path)
    assert detector.threshold == pytest.approx(0.0123)
    assert detector.spec == trainer.spec
    assert detector.scaler == trainer.prepared.scaler


# --- the work budget and the trainer queue -------------------------------------------------------

HOSTILE = COSTLY_LINK


def test_a_link_over_the_budget_is_shown_refused_and_fixed_in_one_click():
    from anomagram.budget import check_run
    from anomagram.ui.common import resources

    at = new_app(**HOSTILE)
    no_exception(at)
    spec = at.session_state["spec"]
    assert spec == Spec.from_query_params(HOSTILE)  # shown as the link has it
    assert go_button(at).disabled and start_button(at).disabled
    nearest = check_run(spec, resources.limits()).nearest
    (note,) = [w.value for w in at.warning if "limit of" in w.value]
    assert "steps (epochs)" in note and f"to {nearest.epochs} or fewer" in note
    # The top of the page says so too: the note above sits below the fold on a laptop.
    assert any("Train is off" in i.value for i in at.info)
    # Even a request that gets past the disabled button trains nothing.
    at.session_state["train_request"] = "go"
    at.run()
    assert at.session_state.get("trainer") is None
    fix = at.button(key="train_budget_fix")
    assert fix.label == f"Set steps (epochs) to {nearest.epochs}"
    fix.click().run()
    no_exception(at)
    assert at.session_state["spec"] == nearest
    assert not go_button(at).disabled and not start_button(at).disabled
    assert not any("limit of" in w.value for w in at.warning)
    assert not any("Train is off" in i.value for i in at.info)
    url = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert url["epochs"] == str(nearest.epochs) and url["batch_size"] == "1"


def test_a_click_waits_for_a_free_trainer_then_trains():
    import threading
    import time

    from anomagram import scheduler

    at = new_app(FAST)
    trainers = scheduler.shared()  # the server's, sized by the page's first run
    held = [trainers.ticket(name=f"other visitor {i}") for i in range(trainers.slots)]
    for ticket in held:
        ticket.acquire()
    timer = threading.Timer(1.0, lambda: [t.release() for t in held])
    timer.start()
    try:
        started = time.perf_counter()
        click_train(at)
    finally:
        timer.cancel()
        for ticket in held:
            ticket.release()
    assert time.perf_counter() - started >= 0.9  # it waited for the others
    assert at.session_state["trainer"].epochs_done == FAST.epochs
    assert any(f"Trained {FAST.epochs} epochs" in t for t in status_texts(at))
    assert trainers.running == 0 and trainers.waiting == 0


def test_the_status_shows_the_place_in_line_while_waiting():
    from anomagram.ui.train.status import show_waiting

    class Slot:
        def __init__(self):
            self.shown = []

        def progress(self, value, text):
            self.shown.append((value, text))

    slot = Slot()
    show_waiting(slot, 4, 30, 1)
    show_waiting(slot, 4, 30, 0)
    show_waiting(slot, 4, 30, None)
    assert [text for _, text in slot.shown] == [
        "⏳ Waiting for a free trainer: 1 ahead · epoch 4 of 30",
        "⏳ Waiting for a free trainer: you are next · epoch 4 of 30",
        "Training · epoch 4 of 30",
    ]
    assert slot.shown[0][0] == pytest.approx(4 / 30)
