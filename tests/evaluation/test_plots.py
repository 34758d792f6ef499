import numpy as np

from biosig.evaluation import plot_confusion_matrix, plot_roc


def test_figures_render(tmp_path):
    fig = plot_confusion_matrix([[50, 2], [3, 0]], ["N", "S"])
    fig.savefig(tmp_path / "cm.png")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "0.96" in texts and "n=50" in texts
    fig = plot_confusion_matrix([[50, 2], [0, 0]], ["N", "F"], normalize=False)
    assert {"50", "2", "0"} <= {t.get_text() for t in fig.axes[0].texts}
    rng = np.random.default_rng(0)
    y = rng.choice(["N", "S", "V"], 100)
    fig = plot_roc(y, rng.dirichlet(np.ones(3), 100), ["N", "S", "V"])
    assert len(fig.axes[0].get_lines()) == 4  # three classes and chance
    fig.savefig(tmp_path / "roc.png")
    assert (tmp_path / "cm.png").read_bytes()[:4] == b"\x89PNG"


def test_report_is_well_formed_html_with_decodable_figures(tmp_path):
    import base64
    import io
    from html.parser import HTMLParser

    import matplotlib.image as mpimg
    import numpy as np
    import pandas as pd

    from biosig.evaluation import (classification_metrics, plot_precision_recall,
                                   plot_training_curves, write_report)

    rng = np.random.default_rng(0)
    y = np.array(["N"] * 80 + ["S"] * 20)
    proba = np.c_[rng.random(100), rng.random(100)]
    proba /= proba.sum(axis=1, keepdims=True)
    pred = np.array(["N", "S"])[proba.argmax(axis=1)]
    metrics = classification_metrics(y, pred, proba, labels=["N", "S"], classes=["N", "S"])
    figures = []
    for name, fig in (("pr.png", plot_precision_recall(y, proba, ["N", "S"])),
                      ("curves.png", plot_training_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7],
                                                           "accuracy": [0.5, 0.8]}))):
        fig.savefig(tmp_path / name)
        figures.append(tmp_path / name)
    write_report(tmp_path / "report.html", title="t <&>", protocol=["train A", "test B"],
                 warnings=["Shared groups: p1"], class_counts=pd.DataFrame({"test": [80, 20]},
                                                                           index=["N", "S"]),
                 metrics=metrics, figures=figures,
                 intervals={"macro_f1": (metrics["macro_f1"], 0.3, 0.6)})

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.images, self.tables = [], [], 0

        def handle_starttag(self, tag, attrs):
            if tag not in ("img", "meta", "br"):
                self.stack.append(tag)
            self.tables += tag == "table"
            if tag == "img":
                self.images.append(dict(attrs)["src"])

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag, f"unbalanced </{tag}>"

    parser = Collect()
    text = (tmp_path / "report.html").read_text()
    parser.feed(text)
    assert parser.stack == [] and parser.tables == 3
    assert "t &lt;&amp;&gt;" in text and "Shared groups: p1" in text
    for src in parser.images:
        image = mpimg.imread(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), format="png")
        assert image.shape[0] > 100 and image.shape[1] > 100
    assert len(parser.images) == 2
