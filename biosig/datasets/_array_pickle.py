"""Read a pickled dict of NumPy arrays without running the pickle machine.

DEAP's preprocessed files are Python pickles. :mod:`pickle` executes what a
file says: a restricted ``find_class`` keeps code out, but a garbled opcode
can still hand NumPy's ``__setstate__`` a state it crashes on, and a length
field can make the unpickler allocate gigabytes. This module walks the opcodes
with :func:`pickletools.genops` (which checks every length against the bytes
present) and interprets only the few that a dict of arrays uses; arrays are
built with :func:`numpy.frombuffer` from data whose size is checked against
their shape and dtype. Anything else is refused.
"""

import pickletools

import numpy as np

__all__ = []

_STRINGS = {"BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "UNICODE", "BINSTRING",
            "SHORT_BINSTRING", "STRING"}
_BYTES = {"BINBYTES", "SHORT_BINBYTES", "BINBYTES8"}
_NUMBERS = {"BININT", "BININT1", "BININT2", "INT", "LONG", "LONG1", "LONG4", "BINFLOAT", "FLOAT"}
_CONSTANTS = {"NEWTRUE": True, "NEWFALSE": False, "NONE": None}
_GLOBALS = {"numpy.core.multiarray _reconstruct": "reconstruct",
            "numpy._core.multiarray _reconstruct": "reconstruct",
            "numpy.core.multiarray scalar": "scalar", "numpy._core.multiarray scalar": "scalar",
            "numpy ndarray": "ndarray", "numpy dtype": "dtype", "_codecs encode": "encode"}


class PickleError(ValueError):
    """The bytes are not a pickled dict of arrays."""


class _Global:
    def __init__(self, name):
        self.name = name


class _Array:
    """An array being rebuilt: _reconstruct made it, BUILD gives it its data."""

    value = None


class _Dtype:
    def __init__(self, descr):
        try:
            self.value = np.dtype(descr)
        except TypeError as err:
            raise PickleError(f"dtype {descr!r}: {err}") from None
        if self.value.kind not in "biuf" or self.value.fields is not None:
            raise PickleError(f"dtype {descr!r} is not a plain number type")


def _as_bytes(value, what):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):  # Python 2 strings, read as latin-1
        return value.encode("latin-1")
    raise PickleError(f"{what} is a {type(value).__name__}, not bytes")


def _dtype_of(value):
    if isinstance(value, _Dtype):
        return value.value
    raise PickleError(f"expected a dtype, got a {type(value).__name__}")


def _reduce(function, args):
    if not isinstance(function, _Global) or not isinstance(args, tuple):
        raise PickleError("REDUCE without a known function and its arguments")
    name = function.name
    if name == "reconstruct":
        # NumPy writes _reconstruct(ndarray, (0,), b"b")
        if len(args) != 3 or not (isinstance(args[0], _Global) and args[0].name == "ndarray") \
                or args[1] != (0,) or args[2] not in (b"b", "b"):
            raise PickleError(f"_reconstruct{args!r:.60} is not how NumPy pickles an array")
        return _Array()
    if name == "dtype":
        # NumPy writes dtype(type string, align=False, copy=True)
        if len(args) != 3 or not isinstance(args[0], str) or args[1:] != (False, True) \
                or not all(isinstance(a, bool) for a in args[1:]):
            raise PickleError(f"dtype{args!r:.60} is not how NumPy pickles a dtype")
        return _Dtype(args[0])
    if name == "encode":
        if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1",
                                                                               "latin-1"):
            raise PickleError("_codecs.encode other than latin-1 text")
        return args[0].encode("latin-1")
    if name == "scalar":
        if len(args) != 2:
            raise PickleError("scalar without a dtype and its bytes")
        dtype, raw = _dtype_of(args[0]), _as_bytes(args[1], "a scalar's data")
        if len(raw) != dtype.itemsize:
            raise PickleError(f"a {dtype} scalar of {len(raw)} bytes")
        return np.frombuffer(raw, dtype)[0]
    raise PickleError(f"{name} cannot be called")


def _build(target, state):
    if isinstance(target, _Dtype):
        # a plain number type: (3, byte order, None, None, None, -1, -1, 0), and a
        # version 4 adds metadata (None)
        if not (isinstance(state, tuple) and len(state) in (8, 9)
                and state[0] == len(state) - 5 and not isinstance(state[0], bool)
                and isinstance(state[1], str) and len(state[1]) == 1 and state[1] in "<>|="
                and state[2:5] == (None, None, None) and state[8:] in ((), (None,))
                and all(type(v) is int for v in state[5:8]) and state[5:8] == (-1, -1, 0)):
            raise PickleError(f"dtype state {state!r:.60} is not NumPy's for a number type")
        if state[1] in "<>":
            target.value = target.value.newbyteorder(state[1])
        return
    if not isinstance(target, _Array) or target.value is not None:
        raise PickleError("BUILD on something other than a new array or dtype")
    if not (isinstance(state, tuple) and len(state) == 5):
        raise PickleError("an array state is not (version, shape, dtype, fortran, data)")
    version, shape, dtype, fortran, raw = state
    if version != 1 or not isinstance(fortran, bool):
        raise PickleError(f"array state version {version!r}, Fortran order {fortran!r}: not "
                          "NumPy's")
    if not (isinstance(shape, tuple) and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise PickleError(f"array shape {shape!r}")
    dtype, raw = _dtype_of(dtype), _as_bytes(raw, "an array's data")
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != size:
        raise PickleError(f"an array of shape {shape} and dtype {dtype} needs {size} bytes, "
                          f"its data holds {len(raw)}")
    target.value = np.frombuffer(raw, dtype).reshape(shape, order="F" if fortran else "C")


def _pop_mark(stack, marks):
    if not marks:
        raise PickleError("a collection without its MARK")
    start = marks.pop()
    items = stack[start:]
    del stack[start:]
    return items


def _resolve(value):
    if isinstance(value, _Array):
        if value.value is None:
            raise PickleError("an array without its data")
        return value.value
    if isinstance(value, (_Dtype, _Global)):
        raise PickleError("a dtype or function where data belongs")
    return value


def load_array_dict(data):
    """Return the dict of arrays (and numbers, strings) that ``data`` pickles.

    Parameters
    ----------
    data : bytes
        A whole pickle, protocol 2 to 5, as ``pickle.dump`` writes a dict of
        NumPy arrays (Python 2 pickles are read with latin-1 strings).

    Returns
    -------
    content : dict

    Raises
    ------
    PickleError
        When the bytes are not such a pickle, or hold anything after it.
    """
    stack, marks, memo = [], [], {}
    frame_end = None
    try:
        for opcode, arg, position in pickletools.genops(data):
            name = opcode.name
            if frame_end is not None:  # protocol 4 frames: no opcode runs across an end
                if position > frame_end:
                    raise PickleError(f"an opcode runs across the end of the frame at byte "
                                      f"{frame_end}")
                if position == frame_end:
                    frame_end = None
            if name == "PROTO":
                if position != 0 or not 2 <= arg <= 5:
                    raise PickleError(f"pickle protocol {arg} (at byte {position})")
                continue
            if name == "FRAME":
                if frame_end is not None:
                    raise PickleError(f"a frame starts inside another, at byte {position}")
                frame_end = position + 9 + arg
                if frame_end > len(data):
                    raise PickleError(f"a frame of {arg} bytes at byte {position} runs past the "
                                      "end of the file: truncated")
                continue
            if name in _STRINGS or name in _BYTES or name in _NUMBERS:
                stack.append(arg)
            elif name in _CONSTANTS:
                stack.append(_CONSTANTS[name])
            elif name == "EMPTY_DICT":
                stack.append({})
            elif name == "EMPTY_TUPLE":
                stack.append(())
            elif name == "MARK":
                marks.append(len(stack))
            elif name in ("BINPUT", "LONG_BINPUT", "PUT"):
                memo[arg] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("BINGET", "LONG_BINGET", "GET"):
                if arg not in memo:
                    raise PickleError(f"memo entry {arg} was never stored")
                stack.append(memo[arg])
            elif name in ("GLOBAL", "STACK_GLOBAL"):
                if name == "STACK_GLOBAL":
                    module, attribute = stack.pop(-2), stack.pop()
                    arg = f"{module} {attribute}"
                if arg not in _GLOBALS:
                    raise PickleError(f"refusing to load {arg.replace(' ', '.')}")
                stack.append(_Global(_GLOBALS[arg]))
            elif name == "TUPLE":
                stack.append(tuple(_pop_mark(stack, marks)))
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                if len(stack) < n:
                    raise PickleError(f"{name} on a stack of {len(stack)}")
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif name == "REDUCE":
                args = stack.pop()
                stack.append(_reduce(stack.pop(), args))
            elif name == "BUILD":
                state = stack.pop()
                _build(stack[-1], state)
            elif name in ("SETITEM", "SETITEMS"):
                items = [stack.pop(-2), stack.pop()] if name == "SETITEM" else \
                    _pop_mark(stack, marks)
                target = stack[-1]
                if not isinstance(target, dict) or len(items) % 2:
                    raise PickleError(f"{name} on a {type(target).__name__}")
                for key, value in zip(items[::2], items[1::2]):
                    if not isinstance(key, str):
                        raise PickleError(f"a dict key that is a {type(key).__name__}")
                    target[key] = value
            elif name == "STOP":
                if frame_end is not None and position + 1 != frame_end:
                    raise PickleError("the pickle stops before the end of its frame")
                if position + 1 != len(data):
                    raise PickleError(f"{len(data) - position - 1} bytes after the pickle's "
                                      "end")
                if len(stack) != 1 or marks:
                    raise PickleError("the pickle ends with its stack unbalanced")
                result = stack.pop()
                if not isinstance(result, dict):
                    raise PickleError(f"the pickle holds a {type(result).__name__}, not a "
                                      "dict")
                return {key: _resolve(value) for key, value in result.items()}
            else:
                raise PickleError(f"opcode {name} is not used by a dict of arrays")
    except IndexError:
        raise PickleError("an opcode on an empty stack") from None
    except (ValueError, UnicodeDecodeError) as err:
        if isinstance(err, PickleError):
            raise
        raise PickleError(str(err)) from None
    raise PickleError("the pickle has no STOP: truncated")
