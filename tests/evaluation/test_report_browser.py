"""The HTML report as a reader sees it: opened in headless Chromium.

Chromium and its driver are Debian's ``chromium`` and ``chromium-driver``,
which ``.ci/run`` installs; where they are missing the test says so and skips.
"""

import base64
import shutil

import numpy as np
import pandas as pd
import pytest

from biosig.evaluation import (
    classification_metrics,
    plot_confusion_matrix,
    plot_precision_recall,
    plot_roc,
    plot_training_curves,
    write_report,
)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
# As the machine's notes prescribe: no sandbox as root, and no background traffic to
# Google's hosts, which this closed network refuses.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900"]


@pytest.fixture
def report(tmp_path):
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    classes = np.array(["N", "S", "V"])
    y = rng.choice(classes, 300, p=[0.7, 0.1, 0.2])
    proba = rng.dirichlet(np.ones(3), 300)
    proba[np.arange(300), np.searchsorted(classes, y)] += 0.5  # mostly right, not always
    proba /= proba.sum(axis=1, keepdims=True)
    pred = classes[proba.argmax(axis=1)]
    metrics = classification_metrics(y, pred, proba, labels=list(classes), classes=list(classes))
    history = {"loss": [1.0, 0.7, 0.5, 0.45], "val_loss": [1.1, 0.8, 0.7, 0.72],
               "accuracy": [0.5, 0.7, 0.8, 0.82], "val_accuracy": [0.45, 0.65, 0.7, 0.69]}
    figures = []
    for name, fig in (("confusion_matrix", plot_confusion_matrix(metrics["confusion_matrix"],
                                                                 classes)),
                      ("roc", plot_roc(y, proba, classes)),
                      ("precision_recall", plot_precision_recall(y, proba, classes)),
                      ("training_curves", plot_training_curves(history))):
        figures.append(tmp_path / f"{name}.png")
        fig.savefig(figures[-1], dpi=120)  # the run's resolution
        plt.close(fig)
    counts = pd.DataFrame({"train": {"N": 500, "S": 50, "V": 90},
                           "test": pd.Series(y).value_counts().to_dict()})
    path = tmp_path / "report.html"
    write_report(path, title="biosig run: browser check", protocol=["records 1-3 → 4-6"],
                 warnings=["Reduced protocol: a check."], class_counts=counts, metrics=metrics,
                 figures=figures, intervals={"macro_f1": (0.5, 0.4, 0.6)})
    return path


def test_report_renders_in_chromium_with_every_figure_and_no_console_error(report, tmp_path):
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("Chromium or chromedriver not installed (Debian: apt-get install chromium "
                    "chromium-driver); the report was not opened in a browser")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get(report.as_uri())
        assert driver.title == "biosig run: browser check"
        images = driver.execute_script(
            "return Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete, "
            "natural: i.naturalWidth, shown: i.getBoundingClientRect().width}))")
        assert [i["alt"] for i in images] == ["confusion_matrix", "roc", "precision_recall",
                                              "training_curves"]
        assert all(i["complete"] and i["natural"] > 0 for i in images), images
        # Every figure's text at about the same size: the same scale from file to screen.
        scale = {i["alt"]: i["shown"] / i["natural"] for i in images}
        assert scale["training_curves"] >= 0.8 * min(scale["roc"], scale["confusion_matrix"])
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        page = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True})
        shot = tmp_path / "report.png"  # the whole page, kept with the test's files
        shot.write_bytes(base64.b64decode(page["data"]))
        assert shot.read_bytes()[:4] == b"\x89PNG"
    finally:
        driver.quit()
