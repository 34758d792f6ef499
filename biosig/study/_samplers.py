"""``[windows] sampler``: how recordings are cut into windows."""

from ._keys import NUM, Key, RecipeError, required
from ._registry import Registry

__all__ = ["SAMPLERS"]

SAMPLERS = Registry("windows", "sampler")


def _shape(windows_shape, sfreq):
    channels, samples = windows_shape
    return f"{channels} channels x {samples} samples at {sfreq:g} Hz"


def _check_span(study):
    w = study.windows
    if w.options["tmax"] <= w.options["tmin"]:
        raise RecipeError(f"{study.path}: [windows] tmax = {w.options['tmax']} must be after "
                          f"tmin = {w.options['tmin']}")


def _labels_are_strings(study):
    bad = {k: v for k, v in study.windows.options.get("labels", {}).items()
           if not isinstance(v, str)}
    if bad:
        raise RecipeError(f"{study.path}: [windows] labels: values must be strings (the class "
                          f"names), got {bad!r}")


@SAMPLERS.add(
    "beat",
    keys={"tmin": Key(NUM, -0.25), "tmax": Key(NUM, 0.45), "local_beats": Key((int,), 10),
          "peaks": Key((str,), "annotated", choices=("annotated", "detected"))},
    describe=lambda study, shape, sfreq: (
        f"Beat windows from {study.windows.options['tmin']} s to "
        f"{study.windows.options['tmax']} s around each "
        + ("annotated R peak" if study.windows.options["peaks"] == "annotated" else
           "R peak detected by GQRS (wfdb), labelled by the reference beat it matches within "
           "150 ms (ANSI/AAMI EC57; unmatched detections and missed beats make no window)")
        + f" ({_shape(shape, sfreq)})."),
    n_samples=lambda options, sfreq: int(round((options["tmax"] - options["tmin"]) * sfreq)),
    check=_check_span,
    tabular=("rr", "rr_local_ratios", "rr_rhythm", "beat_template"),
)
def _beat(study, progress):
    from ..datasets import AAMI_EC57
    from ..windows import BeatSampler

    options = study.windows.options
    classes = study.windows.classes or sorted(set(AAMI_EC57.values()))
    labels = {sym: c for sym, c in AAMI_EC57.items() if c in classes}
    return BeatSampler(options["tmin"], options["tmax"], labels=labels,
                       local_beats=options["local_beats"], peaks=options["peaks"],
                       progress=progress)


def _check_sliding(study):
    if study.windows.options["length"] <= 0:
        raise RecipeError(f"{study.path}: [windows] length = {study.windows.options['length']}: "
                          "must be positive")
    _labels_are_strings(study)


def _describe_sliding(study, shape, sfreq):
    o = study.windows.options
    labels = ", ".join(f"{k} -> {v}" for k, v in o["labels"].items()) or "no annotation"
    return (f"Sliding windows of {o['length']} s every {o['stride'] or o['length']} s, labelled "
            f"by rule {o['rule']!r} from {labels} (otherwise {o['default']!r}) "
            f"({_shape(shape, sfreq)}).")


@SAMPLERS.add(
    "sliding",
    keys={"length": required(NUM), "stride": Key(NUM, 0),
          "rule": Key((str, float), "majority"), "labels": Key((dict,), {}),
          "default": Key((str,), "background")},
    describe=_describe_sliding,
    n_samples=lambda options, sfreq: int(round(options["length"] * sfreq)),
    check=_check_sliding,
    tabular=(),
)
def _sliding(study, progress):
    from ..windows import SlidingSampler

    o = study.windows.options
    return SlidingSampler(o["length"], o["stride"] or None, labels=o["labels"] or None,
                          default=o["default"], rule=o["rule"], progress=progress)


#: The meta columns of event windows, which a mark may not overwrite.
_EVENT_META = ("record", "subject", "session", "sample", "onset", "event", "trial", "crop")


def _check_event(study):
    _check_span(study)
    _labels_are_strings(study)
    o = study.windows.options
    span = o["tmax"] - o["tmin"]
    if o["crop_length"] and not (0 < o["crop_length"] <= span + 1e-9 and o["crop_stride"] > 0):
        raise RecipeError(f"{study.path}: [windows] crop_length = {o['crop_length']} and "
                          f"crop_stride = {o['crop_stride']}: crops need a positive stride and "
                          f"a length of at most tmax - tmin = {span:g} s")
    if o["crop_stride"] and not o["crop_length"]:
        raise RecipeError(f"{study.path}: [windows] crop_stride = {o['crop_stride']} without "
                          "crop_length: set both to crop, neither to keep whole windows")
    taken = sorted(set(o["marks"]) & set(_EVENT_META))
    if taken:
        raise RecipeError(f"{study.path}: [windows] marks {taken}: these names are columns "
                          "the sampler writes itself; rename the annotations")


def _describe_event(study, shape, sfreq):
    o = study.windows.options
    text = (f"Event-locked windows from {o['tmin']} s to {o['tmax']} s around the cues "
            f"{', '.join(f'{k} -> {v}' for k, v in o['labels'].items())}")
    if o["crop_length"]:
        from ..windows._events import crop_starts

        whole = int(round(o["tmax"] * sfreq)) - int(round(o["tmin"] * sfreq)) + 1  # as MNE
        n = len(crop_starts(whole, sfreq, o["crop_length"], o["crop_stride"])[1])
        text += (f", each cut into {n} crops of {o['crop_length']:g} s every "
                 f"{o['crop_stride']:g} s (cropped training)")
    return f"{text} ({_shape(shape, sfreq)})."


def _event_samples(options, sfreq):
    span = options["crop_length"] or options["tmax"] - options["tmin"]
    return int(round(span * sfreq)) + 1


@SAMPLERS.add(
    "event",
    keys={"tmin": required(NUM), "tmax": required(NUM), "labels": required((dict,)),
          "marks": Key((list,), [], items=str), "drop_marked": Key((bool,), False),
          "crop_length": Key(NUM, 0), "crop_stride": Key(NUM, 0)},
    describe=_describe_event,
    n_samples=_event_samples,
    check=_check_event,
    tabular=(),
)
def _event(study, progress):
    from ..windows import EventSampler

    o = study.windows.options
    crop = (o["crop_length"], o["crop_stride"]) if o["crop_length"] else None
    return EventSampler(o["tmin"], o["tmax"], o["labels"], marks=o["marks"], crop=crop,
                        progress=progress)
