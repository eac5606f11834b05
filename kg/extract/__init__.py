"""Extraction: methods, datasets and tasks mentioned in records' text, with evidence.

The pipeline is ``spacy.blank("en")`` plus the rule components of
:mod:`kg.extract.components` and the trained span tagger shipped in the package
(:mod:`kg.extract.tagger`; nothing is downloaded). ``model=False`` leaves the tagger out,
``model=<path>`` uses another one (``kg train --out``). :func:`extract_records` runs it over
every text field with ``nlp.pipe`` and adds what only a corpus-wide view can give: an acronym
defined in one record ("Neural Arithmetic Logic Unit (NALU)") is recognised in records that use
it without defining it, and a title of the form "Name: …" names the paper's own method.
``scheme`` (a :class:`kg.extract.scheme.SchemeChoice`) adds the user's own concept scheme to the
bundled one or replaces it; it is passed explicitly down to the components, worker processes
included. Results are deterministic: the same records give the same mentions in the same order.
What the pipeline finds in each text is saved between builds (:mod:`kg.extract.resultcache`), so
a rebuild runs it over texts it has not seen only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path

from kg.extract import diskcache, resultcache
from kg.extract.resultcache import Found
from kg.extract.scheme import BUNDLED, SchemeChoice
from kg.ids import concept_id
from kg.normalize import slug
from kg.records import Mention, Provenance, Record

Model = Path | bool
"""Which tagger: True for the shipped one, False for none (rules alone), or a model directory."""

_NO_FILE = Provenance("-", 1, 1, "text")
PIPELINE = ("kg_lexicon", "kg_acronyms", "kg_patterns", "kg_noun_phrases", "kg_spans")
_READS_SCHEME = {"kg_lexicon", "kg_acronyms", "kg_patterns"}  # the components that take the scheme choice
_TITLE_NAME = re.compile(r"^((?:[A-Z][\w\-]*)(?: [A-Z][\w\-]*){0,2}):\s")
_TITLE_STOP = {"the", "a", "an", "on", "towards", "toward", "why", "what", "how", "when", "is", "are", "do", "does"}


def pipeline(model: Model = True, scheme: SchemeChoice = BUNDLED):
    """The extraction pipeline with the tagger ``model`` (see :data:`Model`) and the concept
    ``scheme``, built once per process for each; raises :class:`kg.errors.ModelError` when the
    model cannot be loaded, :class:`kg.errors.InputError` for a faulty scheme file."""
    return _pipeline(model, scheme)


@lru_cache(maxsize=8)  # a few schemes per process (tests build several stores); each holds its matchers
def _pipeline(model: Model, scheme: SchemeChoice):
    import spacy

    from kg.extract import components, lexicon, nounphrases  # noqa: F401  (register the factories)
    from kg.extract.matmul import use_numpy_matmul
    from kg.extract.scheme import load_scheme
    from kg.extract.tagger import MODEL_COMPONENT, add_tagger

    load_scheme(scheme)  # a faulty scheme file fails here as itself, not inside spaCy's factories
    nlp = spacy.blank("en")
    for name in PIPELINE:
        nlp.add_pipe(name, config={"scheme": scheme.as_config()} if name in _READS_SCHEME else {})
    if model is not False:
        add_tagger(nlp, None if model is True else Path(model))
        use_numpy_matmul(nlp.get_pipe(MODEL_COMPONENT).model)  # 3x BLIS's speed here: kg.extract.matmul
    return nlp


pipeline.cache_clear = _pipeline.cache_clear  # type: ignore[attr-defined]  # drop the built pipelines


def rule_pipeline():
    """The rule components alone (lexicon, acronyms, patterns, span filter): what weak
    supervision labels training text with."""
    return pipeline(False)


_SAME_LENGTH = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
    }
)


def for_matching(text: str) -> str:
    """Unicode dashes, curly quotes and non-breaking spaces as their ASCII forms, one character
    for one, so offsets found in the result are offsets into the original text."""
    return text.translate(_SAME_LENGTH)


def _found_in(doc) -> Found:
    """What the pipeline found in ``doc``: its spans (character offsets) and acronym definitions."""
    spans = []
    for found in doc._.kg_found or ():
        span = doc[found.start : found.end]
        spans.append(
            (
                span.start_char,
                span.end_char,
                found.concept,
                found.type,
                found.label,
                found.rule,
                found.confidence,
                found.discovered,
            )
        )
    acronyms = tuple(
        (short, target.concept, target.type, target.label, discovered)
        for short, _long, target, discovered in doc._.kg_acronyms or ()
    )
    return Found(tuple(spans), acronyms)


def extract_text(text: str, field: str = "text", model: Model = True, scheme: SchemeChoice = BUNDLED) -> list[Mention]:
    """Mentions in one piece of text (no corpus-wide acronyms, no title rule)."""
    return _found_in(pipeline(model, scheme)(for_matching(text))).mentions(field, text)


def extract_documents(
    texts: Sequence[str],
    batch_size: int = 64,
    model: Model = True,
    min_confidence: float = 0.0,
    scheme: SchemeChoice = BUNDLED,
) -> list[list[Mention]]:
    """Mentions per document for free text (blank documents give empty lists); the corpus-wide
    acronym rule applies across the documents given."""
    records = [
        Record(key=str(i), provenance=_NO_FILE, abstract=text if text.strip() else None) for i, text in enumerate(texts)
    ]
    found = extract_records(records, batch_size=batch_size, model=model, min_confidence=min_confidence, scheme=scheme)
    return [list(mentions) for mentions in found]


def _title_method(title: str, known: dict[str, Mention]) -> Mention | None:
    """'SUMO: Unbiased Estimation of …' → the paper's own method 'SUMO'."""
    from kg.extract.components import is_generic

    match = _TITLE_NAME.match(title)
    if not match:
        return None
    name = match.group(1)
    words = name.split()
    if words[0].lower() in _TITLE_STOP or is_generic(name) or len(name) < 3:
        return None
    if (0, len(name)) in {(m.start, m.end) for m in known.values()}:
        return None
    return Mention(
        "title", 0, len(name), name, concept_id(slug(name)), "Method", name, "pattern:title-name", 0.8, discovered=True
    )


# Below this many records a second process is not worth its start-up: a worker imports spaCy
# and builds the pipeline (about 1.4 s) before it matches anything (about 2 ms a record), and
# on a busy machine that start-up takes CPU from this process's own matching.
PARALLEL_FROM = 3000
# With the tagger a record costs about 10 ms of CPU instead of 2 ms, so a second process pays
# for its start-up (spaCy, the pipeline and the model: about 2 s) from a few hundred records.
TAGGED_PARALLEL_FROM = 400
CHUNKS_PER_PROCESS = 4
CHUNK_TEXTS = 1000

_Definitions = dict[str, set[tuple[str, str, str, bool]]]


def _match(
    texts: Sequence[str], batch_size: int = 64, model: Model = True, scheme: SchemeChoice = BUNDLED
) -> list[Found]:
    """The per-text part of extraction: what the pipeline finds in each of ``texts``. It depends
    on the text and the pipeline alone (:mod:`kg.extract.resultcache` keeps it between builds)."""
    from kg.extract.matmul import one_blas_thread

    nlp = pipeline(model, scheme)
    with one_blas_thread():  # one extracting process per free core already: kg.extract.matmul
        return [_found_in(doc) for doc in nlp.pipe(map(for_matching, texts), batch_size=batch_size)]


def _match_in_workers(
    texts: Sequence[str], workers: int, batch_size: int, model: Model, scheme: SchemeChoice = BUNDLED
) -> list[Found]:
    """:func:`_match` over contiguous chunks in ``workers`` processes (this one and
    ``workers - 1`` others), merged back in order.

    The others work through the chunks from the front (see :func:`_worker_context` for how they
    start); this process works from the back until it reaches a chunk they have finished. It
    never waits for one they have not started, so a slow or busy machine costs at most one chunk
    matched twice, never a worker's start-up. Each text's result depends on the text alone, so
    the mentions are the same as with one process."""
    size = max(1, min(CHUNK_TEXTS, -(-len(texts) // (workers * CHUNKS_PER_PROCESS))))
    chunks = [list(texts[start : start + size]) for start in range(0, len(texts), size)]
    results: list[list[Found] | None] = [None] * len(chunks)
    pool = _worker_context().Pool(workers - 1)
    try:
        pending = [pool.apply_async(_match, (chunk, batch_size, model, scheme)) for chunk in chunks]
        for index in reversed(range(len(chunks))):
            if pending[index].ready():
                break
            results[index] = _match(chunks[index], batch_size, model, scheme)
        for index, result in enumerate(pending):
            if results[index] is None:
                results[index] = result.get()
    finally:
        pool.terminate()
    return [found for chunk in results if chunk is not None for found in chunk]


def _worker_context():
    """How extraction's worker processes start: forked from this one when it runs no other
    thread (the pipeline this process built is theirs at once, shared copy-on-write: no spaCy
    import, scheme or model load, which cost a forkserver worker about 2 s of CPU before its
    first text), else from a fork server (a clean process: forking one that holds threads, such
    as a web server's, can copy a lock another thread holds)."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


@cache
def results_key(model: Model = True, scheme: SchemeChoice = BUNDLED) -> str:
    """Names everything the per-text results of the pipeline depend on, for
    :mod:`kg.extract.resultcache`: the rules (:func:`rules_fingerprint`, without the confidence
    floor, applied after), kg's extraction code and the modules it names concepts with (an
    edited checkout is a new key) and the versions of the libraries that tokenise and run the
    tagger."""
    from importlib.metadata import version

    from kg import ids, normalize, ontology

    parts = [rules_fingerprint(model, 0.0, scheme)] + [f"{lib}={version(lib)}" for lib in ("spacy", "thinc", "numpy")]
    code = sorted(Path(__file__).parent.glob("*.py")) + diskcache.source_files(ids, normalize, ontology)
    return diskcache.fingerprint(parts, code)


def pending_records(records: Sequence[Record], model: Model = True, scheme: SchemeChoice = BUNDLED) -> int:
    """How many of ``records`` have a text the pipeline must run over (one not saved by an earlier
    build): what extraction's processes are sized by (:func:`default_workers`)."""
    known = resultcache.saved(results_key(model, scheme), (t for r in records for t in r.text_fields().values()))
    return sum(any(resultcache.digest(t) not in known for t in r.text_fields().values()) for r in records)


def _find_all(
    texts: Sequence[dict[str, str]], workers: int, batch_size: int, model: Model, scheme: SchemeChoice
) -> dict[bytes, Found]:
    """What the pipeline finds in every distinct text of ``texts`` (by digest): saved results
    first, the pipeline (in ``workers`` processes) over the others, which are saved in turn."""
    key = results_key(model, scheme)
    distinct = {resultcache.digest(text): text for fields in texts for text in fields.values()}
    found = resultcache.load(key, distinct.values())
    todo = [(digest, text) for digest, text in distinct.items() if digest not in found]
    if not todo:
        return found
    batch = [text for _digest, text in todo]
    if workers > 1 and len(batch) > workers:
        pipeline(model, scheme)  # a model or scheme that cannot be loaded fails here, once, not in every worker
        matched = _match_in_workers(batch, workers, batch_size, model, scheme)
    else:
        matched = _match(batch, batch_size, model, scheme)
    fresh = {digest: result for (digest, _text), result in zip(todo, matched, strict=True)}
    resultcache.save(key, fresh)
    return found | fresh


@cache
def rules_fingerprint(model: Model = True, min_confidence: float = 0.0, scheme: SchemeChoice = BUNDLED) -> str:
    """Names the extraction rules: kg's version, every file the pipeline reads (the concept
    scheme, the extraction data, the tagger's model), the confidence floor and the user's scheme
    files (mode and content hash). Saved mentions from other rules must be extracted again."""
    import hashlib

    from kg import __version__
    from kg.extract.tagger import default_model_dir
    from kg.resources import resource_dir

    digest = hashlib.sha256(__version__.encode())
    digest.update(f"min_confidence={min_confidence}".encode())
    if scheme.files:
        digest.update(f"scheme={scheme.mode}:{scheme.sha256}".encode())
    folders = [resource_dir("ontology") / "concepts", resource_dir("data") / "extract"]
    if model is not False:
        folders.append(default_model_dir() if model is True else Path(model))
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_workers(records: int, model: Model = False, idle: float | None = None) -> int:
    """Processes worth using for ``records`` records on this machine, this one included: 1
    below PARALLEL_FROM (or TAGGED_PARALLEL_FROM when the tagger ``model`` runs), else up to one
    per core (at most 4). ``idle`` (:func:`idle_cores`), when known, is how many cores besides
    this process's own were idle lately: a worker only pays for its start-up (spaCy, the
    pipeline, the model) on a core nobody else wants. On a 2-core machine with a load average
    of 4-8, default-corpus builds took 34-62 s (median 37) with a worker and 29-38 s (median
    32) without, over two versions of kg; the mentions are the same either way."""
    import os

    threshold = PARALLEL_FROM if model is False else TAGGED_PARALLEL_FROM
    if records < threshold:
        return 1
    cores = min(os.cpu_count() or 1, 4)
    return cores if idle is None else max(1, min(cores, 1 + round(idle)))


def cpu_times() -> tuple[int, int] | None:
    """The machine's idle and total CPU time so far (clock ticks, from ``/proc/stat``), or None
    where that is not available; two readings give :func:`idle_cores`."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 5:
        return None
    ticks = [int(value) for value in fields[1:]]
    return ticks[3] + (ticks[4] if len(ticks) > 4 else 0), sum(ticks[:8])  # idle + iowait; guests are in user


def idle_cores(since: tuple[int, int] | None, now: tuple[int, int] | None = None) -> float | None:
    """How many cores were idle on average between the :func:`cpu_times` reading ``since`` and
    ``now`` (default: a reading taken now), or None when either is unknown or too close."""
    import os

    now = now if now is not None else cpu_times()
    if since is None or now is None or now[1] - since[1] <= 0:
        return None
    return (os.cpu_count() or 1) * (now[0] - since[0]) / (now[1] - since[1])


def extract_records(
    records: Sequence[Record],
    batch_size: int = 64,
    workers: int = 1,
    model: Model = True,
    min_confidence: float = 0.0,
    scheme: SchemeChoice = BUNDLED,
) -> list[list[Mention]]:
    """Mentions per record (same order as ``records``), one per concept per field span, none
    below ``min_confidence``; ``model`` is the tagger (:data:`Model`), ``scheme`` the concept
    scheme.

    ``workers > 1`` matches chunks of the records in that many processes (this one included:
    :func:`_match_in_workers`); the corpus-wide steps
    (acronyms defined in one record used in others, titles naming a method) run here after,
    so the result is the same as with one."""
    texts = [record.text_fields() for record in records]  # built once, read by every step below
    results = _find_all(texts, workers, batch_size, model, scheme)
    per_record: list[list[Mention]] = [[] for _ in texts]
    definitions: _Definitions = {}
    docs_acronyms: dict[tuple[int, str], set[str]] = {}
    for index, fields in enumerate(texts):
        for field, text in fields.items():
            result = results[resultcache.digest(text)]
            per_record[index].extend(result.mentions(field, text))
            for short, concept, concept_type, label, discovered in result.acronyms:
                definitions.setdefault(short, set()).add((concept, concept_type, label, discovered))
                docs_acronyms.setdefault((index, field), set()).add(short)
    _spread_acronyms(texts, per_record, definitions, docs_acronyms)
    for index, record in enumerate(records):
        if record.title:
            ruled = {m.concept: m for m in per_record[index] if m.field == "title" and not m.rule.startswith("model:")}
            found = _title_method(record.title, ruled)
            if found is not None:  # the title rule outranks the tagger on the same words
                per_record[index] = [
                    m
                    for m in per_record[index]
                    if not (m.field == "title" and m.start < found.end and m.rule.startswith("model:"))
                ]
                per_record[index].append(found)
        if min_confidence > 0:
            per_record[index] = [m for m in per_record[index] if m.confidence >= min_confidence]
        per_record[index].sort(key=lambda m: (m.field, m.start, m.end, m.concept))
    return per_record


def _spread_acronyms(
    texts: Sequence[dict[str, str]],
    per_record: list[list[Mention]],
    definitions: dict[str, set[tuple[str, str, str, bool]]],
    defined_in: dict[tuple[int, str], set[str]],
) -> None:
    """Use an acronym defined (one way only) somewhere in the corpus in texts that do not define
    it themselves (another record, or another field of the defining record: a title "SUMO: …"
    over a summary that spells SUMO out), where nothing else already covers the span."""
    unique = {short: next(iter(targets)) for short, targets in definitions.items() if len(targets) == 1}
    if not unique:
        return
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(sorted(map(re.escape, unique), key=len, reverse=True)) + r")s?(?![\w-])"
    )
    for index, fields in enumerate(texts):
        for field, text in fields.items():
            local = defined_in.get((index, field), set())
            covered = [(m.start, m.end) for m in per_record[index] if m.field == field]
            for match in pattern.finditer(for_matching(text)):
                short = match.group(1)
                if short in local or any(s < match.end() and match.start() < e for s, e in covered):
                    continue
                concept, concept_type, label, discovered = unique[short]
                per_record[index].append(
                    Mention(
                        field,
                        match.start(),
                        match.end(),
                        text[match.start() : match.end()],
                        concept,
                        concept_type,
                        label,
                        "acronym:corpus",
                        0.8,
                        discovered,
                    )
                )
                covered.append((match.start(), match.end()))


def distinct_concepts(mentions: Iterable[Mention]) -> dict[str, Mention]:
    """The first (best-placed) mention of each concept: one entry per entity per record."""
    first: dict[str, Mention] = {}
    order = {"title": 0, "tldr": 1, "abstract": 2}
    for mention in sorted(mentions, key=lambda m: (order.get(m.field, 3), m.field, m.start)):
        first.setdefault(mention.concept, mention)
    return first
