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
