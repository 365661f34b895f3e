# safetypes.py: replacements for C objects of whitelisted modules that
# CPython 3.11 lets a policy-clean body turn into a memory-corruption
# gadget (a re-entrant user method frees memory the C code still uses):
# collections.OrderedDict, collections.deque, struct.Struct,
# itertools.pairwise, array.array; and time.sleep, which must be the
# interruptible one.
# docs/security.md ("Memory-safety gadgets") lists each bug and what
# remains.
#
# This part runs in the reachable namespace (names.py): every replacement
# holds only classes and C functions in its globals, never a module, sys or
# the builtins dict.  The real objects they wrap are kept where user code cannot
# name them: in dunder-named slots and in bound methods (whose __self__ is a
# dunder too).

# _real_deque, _RealStruct and _RealArray (the C classes) come from
# builtins.py's _reachable_namespace: this part runs there, with no import.

_GenericAlias = type(list[int])

_dict_setitem = dict.__setitem__
_dict_pop = dict.pop
_dict_popitem = dict.popitem
_dict_items = dict.items
_dict_clear = dict.clear
_dict_update = dict.update
_dict_eq = dict.__eq__
_dict_ne = dict.__ne__


class OrderedDict(dict):
    """collections.OrderedDict, written over dict's own insertion order.

    The C OrderedDict walks its linked list and index table across calls to
    user __eq__/__hash__/__getitem__, which may clear it (gh-119004,
    gh-142637, gh-142734: segfaults).  Here every step is a dict operation,
    which is safe against that, and the order is the dict's.  Moving a key
    to the front rebuilds the dict (O(n)); moving it to the end keeps an
    equal key, not necessarily the same object.
    """

    def __init__(self, other=(), /, **kwds):
        self.update(other, **kwds)

    def popitem(self, last=True):
        if not self:
            raise KeyError("dictionary is empty")
        if last:
            return _dict_popitem(self)
        key = next(iter(_dict_items(self)))[0]
        return key, _dict_pop(self, key)

    def move_to_end(self, key, last=True):
        value = _dict_pop(self, key)
        if last:
            _dict_setitem(self, key, value)
            return
        rest = list(_dict_items(self))
        _dict_clear(self)
        _dict_setitem(self, key, value)
        _dict_update(self, rest)

    def __eq__(self, other):
        if isinstance(other, OrderedDict):
            if not _dict_eq(self, other):
                return False
            return list(self) == list(other)
        return _dict_eq(self, other)

    def __ne__(self, other):
        if isinstance(other, OrderedDict):
            eq = self.__eq__(other)
            return eq if eq is NotImplemented else not eq
        return _dict_ne(self, other)

    __hash__ = None

    def __repr__(self):
        if not self:
            return "%s()" % type(self).__name__
        key = id(self)
        if key in _repr_running:
            return "..."
        _repr_running.add(key)
        try:
            return "%s(%r)" % (type(self).__name__, list(self.items()))
        finally:
            _repr_running.discard(key)

    def copy(self):
        return type(self)(self)

    def __copy__(self):
        return self.copy()

    def __reduce__(self):
        return type(self), (list(_dict_items(self)),)

    def __or__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        new = type(self)(self)
        new.update(other)
        return new

    def __ror__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        new = type(self)(other)
        new.update(self)
        return new

    def __ior__(self, other):
        self.update(other)
        return self


OrderedDict.__module__ = "collections"
_repr_running = set()


def _inner(d):
    return d.__d__ if isinstance(d, deque) else d


class deque:
    """collections.deque around a real one that user code cannot reach.

    The real deque.index compares an item it holds no reference to, so a
    user __eq__ that clears the deque makes it read freed memory
    (gh-115243).  A subclass would not do: super() reaches the real method.
    index() searches a snapshot here; everything else is the real deque's.
    """

    __slots__ = ("__d__",)

    def __init__(self, iterable=(), maxlen=None):
        self.__d__ = _real_deque(_inner(iterable), maxlen)

    @property
    def maxlen(self):
        return self.__d__.maxlen

    def append(self, x):
        self.__d__.append(x)

    def appendleft(self, x):
        self.__d__.appendleft(x)

    def clear(self):
        self.__d__.clear()

    def copy(self):
        return type(self)(self, self.__d__.maxlen)

    __copy__ = copy

    def count(self, x):
        return list(self.__d__).count(x)

    def extend(self, iterable):
        self.__d__.extend(_inner(iterable))

    def extendleft(self, iterable):
        self.__d__.extendleft(_inner(iterable))

    def index(self, x, start=0, stop=None):
        items = list(self.__d__)
        if stop is None:
            stop = len(items)
        try:
            return items.index(x, start, stop)
        except ValueError:
            raise ValueError("%r is not in deque" % (x,)) from None

    def insert(self, i, x):
        self.__d__.insert(i, x)

    def pop(self):
        return self.__d__.pop()

    def popleft(self):
        return self.__d__.popleft()

    def remove(self, value):
        items = list(self.__d__)
        try:
            i = items.index(value)
        except ValueError:
            raise ValueError("%r is not in deque" % (value,)) from None
        if len(self.__d__) != len(items):
            raise IndexError("deque mutated during remove().")
        del self.__d__[i]

    def reverse(self):
        self.__d__.reverse()

    def rotate(self, n=1):
        self.__d__.rotate(n)

    def __len__(self):
        return len(self.__d__)

    def __iter__(self):
        return iter(self.__d__)

    def __reversed__(self):
        return reversed(self.__d__)

    def __getitem__(self, i):
        return self.__d__[i]

    def __setitem__(self, i, x):
        self.__d__[i] = x

    def __delitem__(self, i):
        del self.__d__[i]

    def __contains__(self, x):
        return x in list(self.__d__)

    def __eq__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        return list(self.__d__) == list(other.__d__)

    def __ne__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        return list(self.__d__) != list(other.__d__)

    def __lt__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        return list(self.__d__) < list(other.__d__)

    def __le__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        return list(self.__d__) <= list(other.__d__)

    def __gt__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        return list(self.__d__) > list(other.__d__)

    def __ge__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        return list(self.__d__) >= list(other.__d__)

    __hash__ = None

    def __add__(self, other):
        if not isinstance(other, deque):
            return NotImplemented
        new = self.copy()
        new.__d__.extend(other.__d__)
        return new

    def __iadd__(self, other):
        self.__d__.extend(_inner(other))
        return self

    def __mul__(self, n):
        new = self.copy()
        new.__d__ *= n
        return new

    __rmul__ = __mul__

    def __imul__(self, n):
        self.__d__ *= n
        return self

    def __repr__(self):
        r = repr(self.__d__)
        return type(self).__name__ + r[r.index("("):]

    def __reduce__(self):
        return type(self), (list(self.__d__), self.__d__.maxlen)

    def __class_getitem__(cls, item):
        return _GenericAlias(cls, item)


deque.__module__ = "collections"


class Struct:
    """struct.Struct whose format cannot change under a running call.

    Calling the real Struct.__init__ again (a readable dunder) frees the
    format codes that a pack() in progress (its user __bool__/__index__
    running) or an iter_unpack() iterator still reads: a segfault or an
    out-of-bounds read.  Here __init__ makes a new real Struct; whatever
    runs keeps the old one.
    """

    def __init__(self, format):
        s = _RealStruct(format)
        self.format = s.format
        self.size = s.size
        self.pack = s.pack
        self.pack_into = s.pack_into
        self.unpack = s.unpack
        self.unpack_from = s.unpack_from
        self.iter_unpack = s.iter_unpack

    def __repr__(self):
        return "Struct(%r)" % (self.format,)


Struct.__module__ = "struct"


def _array_item(a, v):
    """v as the real array a's setter takes it with no user code running
    inside it.  For the 'f' and 'd' codes the setter calls the object's
    __float__, and only after it has chosen where to write (append and
    insert even after growing the array), so a __float__ that shrinks the
    array writes past its end: here __float__ runs first and the setter
    gets a float.  A float (subclass too) is read as it is, as the setter
    reads it; an object without __float__ is passed on for the setter's
    own TypeError.  The integer codes call only __index__, which no user
    class defines (names.py); 'u' takes only str."""
    t = _type(v)
    if a.typecode not in "fd" or t is float or t is int or t is bool or \
            issubclass(t, float) or not _hasattr(t, "__float__"):
        return v
    return float(v)


def _array_inner(other):
    return other.__a__ if isinstance(other, array) else other


def _wrap_array(real):
    new = object.__new__(array)
    new.__a__ = real
    return new


class array:
    """array.array around a real one that user code cannot reach.

    Its setters call a user __float__ at a moment it can free what they
    write to (_array_item), and a subclass would not do (super() reaches
    the real methods).  Not offered: tofile() and fromfile() (files; the
    real tofile also keeps writing blocks of an array that the file's
    write() shrank), buffer_info() (the buffer's address), pickling.
    Not a buffer either: bytes(a) and a.tobytes() give its bytes.
    """

    __slots__ = ("__a__",)

    def __init__(self, typecode, *initializer):
        self.__a__ = _RealArray(typecode, *[_array_inner(i)
                                            for i in initializer])

    @property
    def typecode(self):
        return self.__a__.typecode

    @property
    def itemsize(self):
        return self.__a__.itemsize

    def append(self, v):
        self.__a__.append(_array_item(self.__a__, v))

    def insert(self, i, v):
        self.__a__.insert(i, _array_item(self.__a__, v))

    def extend(self, iterable):
        if isinstance(iterable, array):
            self.__a__.extend(iterable.__a__)
            return
        a = self.__a__
        for v in iterable:
            a.append(_array_item(a, v))

    def fromlist(self, items):
        if not isinstance(items, list):
            raise TypeError("arg must be list")
        a = self.__a__
        a.fromlist([_array_item(a, v) for v in items])

    def frombytes(self, buffer):
        self.__a__.frombytes(_array_inner(buffer))

    def fromunicode(self, s):
        self.__a__.fromunicode(s)

    def tobytes(self):
        return self.__a__.tobytes()

    def tolist(self):
        return self.__a__.tolist()

    def tounicode(self):
        return self.__a__.tounicode()

    def byteswap(self):
        self.__a__.byteswap()

    def reverse(self):
        self.__a__.reverse()

    def count(self, v):
        return self.__a__.count(v)

    def index(self, v, *bounds):
        return self.__a__.index(v, *bounds)

    def remove(self, v):
        self.__a__.remove(v)

    def pop(self, i=-1):
        return self.__a__.pop(i)

    def __len__(self):
        return len(self.__a__)

    def __iter__(self):
        return iter(self.__a__)

    def __contains__(self, v):
        return v in self.__a__

    def __getitem__(self, i):
        r = self.__a__[i]
        if isinstance(i, slice):
            return _wrap_array(r)
        return r

    def __setitem__(self, i, v):
        if isinstance(i, slice):
            self.__a__[i] = _array_inner(v)
        else:
            self.__a__[i] = _array_item(self.__a__, v)

    def __delitem__(self, i):
        del self.__a__[i]

    def __add__(self, other):
        return _wrap_array(self.__a__ + _array_inner(other))

    def __iadd__(self, other):
        self.__a__ += _array_inner(other)
        return self

    def __mul__(self, n):
        return _wrap_array(self.__a__ * n)

    __rmul__ = __mul__

    def __imul__(self, n):
        self.__a__ *= n
        return self

    def __eq__(self, other):
        if not isinstance(other, array):
            return NotImplemented
        return self.__a__ == other.__a__

    def __ne__(self, other):
        if not isinstance(other, array):
            return NotImplemented
        return self.__a__ != other.__a__

    def __lt__(self, other):
        if not isinstance(other, array):
            return NotImplemented
        return self.__a__ < other.__a__

    def __le__(self, other):
        if not isinstance(other, array):
            return NotImplemented
        return self.__a__ <= other.__a__

    def __gt__(self, other):
        if not isinstance(other, array):
            return NotImplemented
        return self.__a__ > other.__a__

    def __ge__(self, other):
        if not isinstance(other, array):
            return NotImplemented
        return self.__a__ >= other.__a__

    __hash__ = None

    def __bytes__(self):
        return self.__a__.tobytes()

    def __copy__(self):
        return _wrap_array(self.__a__[:])

    def __deepcopy__(self, memo):
        return _wrap_array(self.__a__[:])

    def __repr__(self):
        return repr(self.__a__)

    def __class_getitem__(cls, item):
        return _GenericAlias(cls, item)


array.__module__ = "array"


def pairwise(iterable):
    """itertools.pairwise as a generator: the C one keeps a borrowed
    reference across the user iterator's __next__, which may re-enter it
    (gh-109786); a generator refuses to be re-entered."""
    it = iter(iterable)
    for a in it:
        for b in it:
            yield a, b
            a = b
        return


pairwise.__module__ = "itertools"


def sleep(seconds):
    """time.sleep: a cancel, statement_timeout or termination ends it
    (_interruptible_sleep: limits.c's sleep on the latch, from sandbox.c
    through builtins.py's _reachable_namespace)."""
    return _interruptible_sleep(seconds)


sleep.__module__ = "time"
