"""Does the autoencoder earn its place? AUC and seconds beside the classic detectors.

On the default split (2500 normal training beats, 500 test beats), for seeds 0-2: the
autoencoder with the "default" and "strong" presets, and every detector of
``anomagram.baselines`` (PCA with as many components as each preset's bottleneck). Prints a
markdown table: AUC mean ± std over the seeds, and the seconds of one fit: the median, and
the first run's (seed 0), where the autoencoder also compiles its new architecture (later
models of the same architecture reuse it, as the app's model pool does). A detector's
seconds include scoring the test beats. This machine is shared and has 2 cores, so read the
seconds as rough.

    python bench/compare.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from anomagram import baselines, metrics  # noqa: E402
from anomagram.data import load_ecg5000  # noqa: E402
from anomagram.presets import PRESETS, preset_spec  # noqa: E402
from anomagram.spec import Spec  # noqa: E402
from anomagram.training import Trainer, prepare  # noqa: E402

AE_PRESETS = ("default", "strong")


def autoencoder_run(spec: Spec, ecg) -> tuple[float, float, str]:
    """AUC, training seconds and status of one fresh model trained on ``spec``."""
    trainer = Trainer.create(spec, ecg)
    result = trainer.train()
    auc = metrics.auc(trainer.prepared.test_is_abnormal, trainer.test_errors())
    return auc, result.seconds_total, result.status


def warm_up(ecg) -> None:
    """JAX's and scikit-learn's one-off start-up costs, kept out of every measurement."""
    # Another architecture than either preset's, so each preset's first model still compiles.
    autoencoder_run(Spec(hidden=(5,), latent=1, epochs=1), ecg)
    p = prepare(Spec(train_size=100, test_size=50), ecg)
    baselines.run_all(p.train_scaled, p.test_scaled, p.test_is_abnormal, components=2, seed=0)


def row(name: str, aucs: list[float], seconds: list[float]) -> str:
    return (
        f"| {name} | {np.mean(aucs):.4f} ± {np.std(aucs):.4f} | "
        f"{statistics.median(seconds):.2f} | {seconds[0]:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    seeds = range(args.seeds)
    ecg = load_ecg5000()
    warm_up(ecg)

    lines = []
    for key in AE_PRESETS:
        runs = [autoencoder_run(preset_spec(key, Spec(seed=s)), ecg) for s in seeds]
        aucs, seconds = [r[0] for r in runs], [r[1] for r in runs]
        spec = preset_spec(key)
        name = f"**Autoencoder, {PRESETS[key].label}** ({spec.layer_path()}, {spec.epochs} epochs)"
        lines.append((np.mean(aucs), row(name, aucs, seconds)))
        print(f"{key}: {[f'{a:.4f} {t:.2f}s {st}' for a, t, st in runs]}", file=sys.stderr)

    default_latent = Spec().latent
    pca_sizes = sorted({preset_spec(k).latent for k in AE_PRESETS} - {default_latent})
    results: dict[str, list] = {}
    for s in seeds:
        p = prepare(Spec(seed=s), ecg)
        y = p.test_is_abnormal
        for key, r in baselines.run_all(
            p.train_scaled, p.test_scaled, y, components=default_latent, seed=s
        ).items():
            results.setdefault(key, []).append(r)
        for n in pca_sizes:
            r = baselines.fit_score("pca", p.train_scaled, p.test_scaled, y, components=n, seed=s)
            results.setdefault(f"pca{n}", []).append(r)
    for key, rs in results.items():
        if key in baselines.DETECTORS:
            name = baselines.DETECTORS[key]
            name += f" ({default_latent} components)" if key == "pca" else ""
        else:
            name = f"PCA reconstruction ({key[3:]} components)"
        lines.append(
            (np.mean([r.auc for r in rs]), row(name, [r.auc for r in rs], [r.seconds for r in rs]))
        )

    print(
        f"| Detector | AUC, mean ± std over seeds 0-{args.seeds - 1} | seconds, median | "
        "seconds, first run |"
    )
    print("|---|---|---|---|")
    for _, text in sorted(lines, key=lambda item: -item[0]):
        print(text)
    print(
        f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
        "(shared machine: seconds are rough).",
    )


if __name__ == "__main__":
    main()
