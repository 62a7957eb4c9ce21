"""Subtitle cues: one track per language, chosen among sidecar files and the video's own streams.

Tracks come from sidecar `.srt` / `.vtt` files beside the video (`<stem>.srt`, `<stem>.<lang>.vtt`,
`<stem>.<anything>.srt`), embedded text streams (mov_text, subrip, ass, webvtt ...: read through ffmpeg
as SRT) and embedded bitmap streams (dvd_subtitle, hdmv_pgs_subtitle, dvb_subtitle: cue times from the
stream's packets, text from OCR of each bitmap rendered on a grey canvas).

Tracks are never merged. Per language one track is chosen: sentence-level before word-level (ASR),
then sidecar > embedded text > embedded bitmap, then the default stream, then the plainest file name.
The anchors are the primary track (`subtitle_track:0`) and its cues: the best sidecar when there is one
(its language is the user's choice), else the default embedded stream, else English, else the first.
Each names its language: a sidecar's name token (`x.en.srt`) or WebVTT header (`Language: en`), a
stream's container tag (`eng` -> `en`), else `und`.

Word-level (ASR) tracks are recognised by inline word timings (`<00:00:01.000><c> word</c>`, as YouTube
automatic captions written by yt-dlp carry them), by a quarter of their cues lasting under FLASH_S (the
10 ms cues that repeat the finished line) or by one word per cue. Such a track is folded: each cue keeps
only the lines it adds to the previous one, flashes are dropped, and one-word cues are joined into phrases.

Impossible times are rejected with a SubtitleWarning naming the file and cue: a negative time (its
sign is never dropped), an end not after its start, a start at or past the video's end.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.anchor import Anchor
from ..core.contents import SubtitleContent, SubtitleTrackContent
from ..core.errors import InputError
from ..core.source import VideoMeta
from .files import read_bytes

if TYPE_CHECKING:
    import numpy as np

SIDECAR_SUFFIXES = (".srt", ".vtt")
TEXT_CODECS = {"mov_text", "subrip", "srt", "ass", "ssa", "webvtt", "text", "microdvd", "sami", "jacosub",
               "realtext", "subviewer", "subviewer1", "vplayer", "pjs", "mpl2", "stl", "eia_608"}
BITMAP_CODECS = {"dvd_subtitle", "hdmv_pgs_subtitle", "dvb_subtitle", "xsub", "dvb_teletext"}
FLASH_S = 0.05
PGS_CLEAR_BYTES = 64  # a PGS display set with no object (it clears the screen) is about 30 bytes
MAX_SIDECAR_BYTES = 32 << 20
MAX_BITMAP_OCR = 400  # distinct bitmaps read per track: 40-400 s of OCR
RENDER_MAX_HEIGHT = 576  # a DVD's plane height
PHRASE_GAP_S = 0.8
PHRASE_MAX_S = 8.0

_TIME = re.compile(r"(-\s*)?(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
_TAG = re.compile(r"<[^>]+>|\{\\[^}]*\}")
_OCR_TAG = re.compile(r"\S?/?[ibu]>")  # an <i>/</i> drawn into a bitmap, read with its "<" misrecognised
_INLINE_TIME = re.compile(r"<\d{1,2}:\d{2}(?::\d{2})?\.\d{3}>")
_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,4})?$", re.IGNORECASE)
_ISO639_2 = {"eng": "en", "ger": "de", "deu": "de", "spa": "es", "fre": "fr", "fra": "fr", "ita": "it",
             "dut": "nl", "nld": "nl", "pol": "pl", "por": "pt", "rus": "ru", "vie": "vi", "chi": "zh",
             "zho": "zh", "jpn": "ja", "kor": "ko", "ara": "ar", "hin": "hi", "tur": "tr", "swe": "sv",
             "nor": "no", "dan": "da", "fin": "fi", "gre": "el", "ell": "el", "heb": "he", "cze": "cs",
             "ces": "cs", "hun": "hu", "rum": "ro", "ron": "ro", "ukr": "uk", "ind": "id", "tha": "th"}
_NOT_LANGS = {"srt", "vtt", "sdh", "cc", "hi", "forced", "default", "full", "auto"}


class SubtitleWarning(UserWarning):
    """A cue or track was left out (impossible times, unreadable stream); the message names the file."""


Cue = tuple[float, float, str]


@dataclass
class Track:
    """One subtitle track: a sidecar file or a stream of the video."""

    origin: str
    language: str
    kind: str  # "sidecar", "text" (embedded) or "bitmap" (embedded)
    stream: int | None = None
    codec: str = ""
    default: bool = False
    extra_tokens: int = 0
    word_level: bool = False
    cues: list[Cue] | None = field(default=None, repr=False)

    def rank(self) -> tuple:
        """Smaller is better: sentence-level, sidecar > text > bitmap, default stream, plainest name."""
        return (self.word_level, ("sidecar", "text", "bitmap").index(self.kind), not self.default,
                self.extra_tokens, Path(self.origin).suffix != ".srt", self.origin, self.stream or 0)


def language_code(tag: str | None) -> str:
    """A two-letter code where one is known ('eng' -> 'en'), the tag lower-cased otherwise, 'und' if none."""
    if not tag:
        return "und"
    tag = tag.lower().replace("_", "-")
    base = tag.split("-")[0]
    return _ISO639_2.get(base, base) if len(base) in (2, 3) else "und"


def header_language(text: str) -> str:
    """The language a WebVTT header names (`Language: en`, as YouTube captions carry it), else 'und'."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        return "und"
    for line in text.replace("\r\n", "\n").split("\n", 16)[1:16]:
        if not line.strip() or "-->" in line:
            break  # the header ends at the first empty line
        name, _, value = line.partition(":")
        if name.strip().lower() == "language" and _LANG.match(value.strip()):
            return language_code(value.strip())
    return "und"


def sidecar_files(video: Path) -> list[Path]:
    """The .srt / .vtt files beside `video` that belong to it (`<stem>.srt`, `<stem>.<tokens>.vtt`)."""
    try:
        siblings = sorted(video.parent.iterdir())
    except OSError:
        return []
    return [p for p in siblings if p.suffix.lower() in SIDECAR_SUFFIXES and p.is_file()
            and (p.stem == video.stem or p.stem.startswith(video.stem + "."))]


def _sidecar_track(video: Path, file: Path) -> Track:
    tokens = [t for t in file.stem[len(video.stem):].split(".") if t]
    langs = [t for t in tokens if _LANG.match(t) and t.lower() not in _NOT_LANGS]
    return Track(origin=str(file), language=language_code(langs[-1] if langs else None), kind="sidecar",
                 extra_tokens=len(tokens) - (1 if langs else 0))


def _seconds(match: re.Match, line: str, origin: str | Path, number: int) -> float:
    sign, h, mi, s, ms = match.groups()
    if len(h or "") > 6:
        raise _Impossible(f"{origin}: cue {number}: hour {h[:12]}... in '{line.strip()[:60]}'; cue left out")
    value = int(h or 0) * 3600 + int(mi) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000
    if sign:
        raise _Impossible(f"{origin}: cue {number}: negative time in '{line.strip()}'; cue left out")
    return value


class _Impossible(Exception):
    """A cue whose times cannot be real (reported as a warning, the cue left out)."""


def _raw_cues(text: str) -> list[tuple[int, str, list[str]]]:
    """(cue number, timing line, body lines) in file order.

    A cue is its timing line and the lines after it up to an empty line or the next timing line. Lines of
    spaces do not end a cue (YouTube's captions put one inside each cue); an identifier line (an SRT
    number, a WebVTT cue id) just before a timing line belongs to that cue, not the one before.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").split("\n")
    cues: list[tuple[int, str, list[str]]] = []
    body: list[str] | None = None
    for i, line in enumerate(lines):
        if "-->" in line:
            if body and i >= 2 and not lines[i - 2].strip() and lines[i - 1].strip():
                body.pop()  # the identifier of this cue, with no empty line before it
            body = []
            cues.append((len(cues) + 1, line, body))
        elif body is not None:
            if line == "":
                body = None
            else:
                body.append(line)
    return cues


def _blocks(text: str, origin: str | Path) -> tuple[list[tuple[float, float, list[str]]], bool]:
    """(start, end, text lines) per cue in file order, and whether inline word timings were seen.

    A timing line that is not a timing raises InputError; an impossible cue is left out with a warning.
    """
    cues = []
    inline = False
    for number, line, body in _raw_cues(text):
        start_s, _, rest = line.partition("-->")
        m_start, m_end = _TIME.search(start_s), _TIME.search(rest.strip().split(" ")[0] if rest.strip() else "")
        if not m_start or not m_end:
            raise InputError(origin, f"bad subtitle timing line '{line.strip()}'")
        try:
            start = _seconds(m_start, line, origin, number)
            end = _seconds(m_end, line, origin, number)
            if end <= start:
                raise _Impossible(f"{origin}: cue {number}: ends at {end:.3f} s, not after its start {start:.3f} s; "
                                  f"cue left out")
        except _Impossible as exc:
            warnings.warn(str(exc), SubtitleWarning, stacklevel=3)
            continue
        inline = inline or any(_INLINE_TIME.search(ln) for ln in body)
        clean = [c for c in (" ".join(_TAG.sub("", ln).split()) for ln in body) if c]
        cues.append((round(start, 3), round(end, 3), clean))
    return cues, inline


def parse_cues(text: str, origin: str | Path) -> list[Cue]:
    """(start, end, text) cues from SRT or WebVTT text, in time order; word-level (ASR) tracks folded.

    A malformed timing line raises InputError; an impossible cue is left out with a SubtitleWarning.
    """
    cues, _ = parse_track(text, origin)
    return cues


def parse_track(text: str, origin: str | Path) -> tuple[list[Cue], bool]:
    """The cues of one track and whether it was word-level (ASR) before folding."""
    blocks, inline = _blocks(text, origin)
    short = sum(1 for s, e, _ in blocks if e - s < FLASH_S)
    words = sorted(len(" ".join(lines).split()) for _, _, lines in blocks)
    word_level = inline or (len(blocks) >= 4 and (short * 4 >= len(blocks) or words[len(words) // 2] <= 1))
    if not word_level:
        return sorted((s, e, " ".join(lines)) for s, e, lines in blocks if lines), False
    return _phrases(_fold(blocks)), True


def _fold(blocks: list[tuple[float, float, list[str]]]) -> list[Cue]:
    """Each cue's new lines only: rolling ASR captions repeat the previous cue's lines, and a flash cue
    (under FLASH_S) shows the finished line again."""
    out: list[Cue] = []
    previous: list[str] = []
    for start, end, lines in sorted(blocks, key=lambda b: b[0]):
        new = [ln for ln in lines if ln not in previous]
        previous = lines
        if end - start >= FLASH_S and new:
            out.append((start, end, " ".join(new)))
    return out


def _phrases(cues: list[Cue]) -> list[Cue]:
    """One-word cues (word-by-word ASR) joined into phrases at pauses, sentence ends or PHRASE_MAX_S."""
    words = [len(text.split()) for _, _, text in cues]
    if not cues or sorted(words)[len(words) // 2] > 2:
        return cues
    out: list[list] = []
    for start, end, text in cues:
        last = out[-1] if out else None
        if last and start - last[1] <= PHRASE_GAP_S and end - last[0] <= PHRASE_MAX_S and \
                not last[2].rstrip().endswith((".", "?", "!", "。", "？", "！")):
            last[1], last[2] = end, f"{last[2]} {text}"
        else:
            out.append([start, end, text])
    return [(s, e, t) for s, e, t in out]


def _embedded_text(video: Path, track: Track) -> list[Cue]:
    from .ffmpeg import run_ffmpeg

    proc = run_ffmpeg(["-loglevel", "error", "-i", str(video), "-map", f"0:{track.stream}", "-f", "srt", "pipe:1"],
                      video)
    cues, track.word_level = parse_track(proc.stdout.decode("utf-8", "replace"), f"{video} (stream {track.stream})")
    return cues


def bitmap_cue_times(video: Path, stream: int) -> list[tuple[float, float]]:
    """(start, end) of each shown bitmap, from the stream's packets (a demux-only pass, no decoding).

    A packet's span is its duration, else until the next packet; PGS "clear" display sets (a few dozen
    bytes, no object) only end the bitmap before them.
    """
    from .ffmpeg import run_ffmpeg

    proc = run_ffmpeg(["-loglevel", "error", "-i", str(video), "-map", f"0:{stream}", "-c", "copy", "-f",
                       "framecrc", "-"], video)
    lines = proc.stdout.decode(errors="replace").splitlines()
    tb_line = next((ln for ln in lines if ln.startswith("#tb 0:")), "#tb 0: 1/1000")
    num, den = (int(v) for v in tb_line.split(":")[1].strip().split("/"))
    packets = []
    for line in lines:
        fields = [f.strip() for f in line.split(",")]
        if line.startswith("#") or len(fields) < 5:
            continue
        try:
            packets.append((int(fields[2]) * num / den, int(fields[3]) * num / den, int(fields[4])))
        except ValueError:
            continue
    spans = []
    for i, (pts, duration, size) in enumerate(packets):
        if size < PGS_CLEAR_BYTES:
            continue
        end = pts + duration if duration > 0 else (packets[i + 1][0] if i + 1 < len(packets) else pts)
        if i + 1 < len(packets):
            end = min(end, packets[i + 1][0]) if packets[i + 1][2] < PGS_CLEAR_BYTES else end
        if end > pts >= 0:
            spans.append((round(pts, 3), round(end, 3)))
    return spans


def _bitmap(video: Path, track: Track, size: tuple[int, int], duration: float | None) -> list[Cue]:
    """Cue times from the packets; the text of each from OCR of its bitmap rendered on a grey canvas."""
    spans = bitmap_cue_times(video, track.stream)
    texts = _ocr_bitmaps(video, track.stream, spans, size, duration)
    return [(s, e, texts.get(i, "")) for i, (s, e) in enumerate(spans)]


def _render_size(size: tuple[int, int]) -> tuple[int, int]:
    """The canvas bitmaps are read on: the plane, scaled down to RENDER_MAX_HEIGHT (even sides)."""
    w, h = size
    if h <= RENDER_MAX_HEIGHT:
        return w, h
    return max(2, round(w * RENDER_MAX_HEIGHT / h / 2) * 2), RENDER_MAX_HEIGHT


def _ocr_bitmaps(video: Path, stream: int, spans: list[tuple[float, float]], size: tuple[int, int],
                 duration: float | None) -> dict[int, str]:
    """Text per span index: one ffmpeg pass renders the stream over grey and keeps the span midpoints.

    OCR costs 0.1-1 s a bitmap, so each distinct bitmap (the same line shown again is the same pixels)
    is read once, planes taller than RENDER_MAX_HEIGHT are read scaled down (subtitle text at a DVD's
    size reads as well, at a fraction of the cost), and at most MAX_BITMAP_OCR distinct bitmaps are read
    per track, with a SubtitleWarning naming the cap: later cues keep their times, with text only when
    their bitmap was already read. The result is cached with the track's anchors.
    """
    import hashlib
    import tempfile

    import numpy as np
    from PIL import Image

    from ..core.errors import ExtractorError
    from .ffmpeg import run_ffmpeg
    from .ocr import names, read_text

    if not spans:
        return {}
    rate = 4
    frame_of = [max(0, round((s + e) / 2 * rate)) for s, e in spans]
    frames = sorted(set(frame_of))
    pick = "+".join(f"eq(n\\,{n})" for n in frames)
    length = (duration or spans[-1][1]) + 1.0
    w, h = size
    rw, rh = _render_size(size)
    read: dict[bytes, str] = {}
    by_frame: dict[int, str] = {}
    capped = False
    with tempfile.TemporaryDirectory() as tmp:
        run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", f"color=c=0x808080:s={w}x{h}:r={rate}:d={length:.3f}",
                    "-i", str(video), "-filter_complex",
                    f"[0:v][1:{stream}]overlay=eof_action=pass,select='{pick}'" +
                    (f",scale={rw}:{rh}" if (rw, rh) != (w, h) else ""),
                    "-fps_mode", "passthrough", f"{tmp}/b%05d.png"], video)
        for k, n in enumerate(frames, 1):
            png = Path(tmp) / f"b{k:05d}.png"
            if not png.exists():
                continue
            with Image.open(png) as im:
                crop = _ink(np.asarray(im.convert("RGB")))
            if crop is None:
                continue
            key = hashlib.blake2b(crop.tobytes() + repr(crop.shape).encode(), digest_size=16).digest()
            if key not in read and len(read) >= MAX_BITMAP_OCR:
                if not capped:
                    capped = True
                    warnings.warn(f"{video} (stream {stream}): more than {MAX_BITMAP_OCR} distinct subtitle bitmaps "
                                  f"(MAX_BITMAP_OCR); cues from {spans[frame_of.index(n)][0]:.3f} s on keep their times, with text only "
                                  f"where their bitmap was read before", SubtitleWarning, stacklevel=4)
                continue
            if key not in read:
                try:
                    boxes = names(read_text(crop), min_score=0.5)
                except ExtractorError:
                    break  # no OCR engine: cue times only
                read[key] = " ".join(_OCR_TAG.sub("", _TAG.sub("", " ".join(b.text for b in boxes))).split())
            by_frame[n] = read[key]
    return {i: by_frame[n] for i, n in enumerate(frame_of) if n in by_frame}


def _ink(rgb: np.ndarray) -> np.ndarray | None:
    """The part of a rendered frame off the grey canvas (the bitmap), with an 8 px margin; None if blank."""
    import numpy as np

    ink = np.argwhere(np.abs(rgb.astype(np.int16) - 128).max(axis=2) > 24)
    if len(ink) == 0:
        return None
    (y1, x1), (y2, x2) = ink.min(axis=0), ink.max(axis=0)
    return np.ascontiguousarray(rgb[max(0, y1 - 8):y2 + 9, max(0, x1 - 8):x2 + 9])


def tracks(video: Path, meta: VideoMeta) -> list[Track]:
    """Every subtitle track of a video: its sidecar files (`meta.subtitle_files`) and its streams."""
    from .ffmpeg import probe

    found = [_sidecar_track(video, Path(f)) for f in meta.subtitle_files or []]
    if meta.subtitle_streams:
        for s in probe(video).subtitles:
            kind = "bitmap" if s.codec in BITMAP_CODECS else "text" if s.codec in TEXT_CODECS else None
            if kind is None:
                warnings.warn(f"{video}: subtitle stream {s.index} ({s.codec}) is neither text nor a bitmap we "
                              f"render; left out", SubtitleWarning, stacklevel=2)
                continue
            found.append(Track(origin=str(video), language=language_code(s.language), kind=kind, stream=s.index,
                               codec=s.codec, default=s.default))
    return found


def load_cues(video: Path, track: Track, meta: VideoMeta) -> list[Cue]:
    """The cues of one track (sidecars are read here, so their word-level flag is known after)."""
    if track.cues is not None:
        return track.cues
    if track.kind == "sidecar":
        file = Path(track.origin)
        text = read_bytes(file, "subtitle file", MAX_SIDECAR_BYTES).decode("utf-8-sig", errors="replace")
        track.cues, track.word_level = parse_track(text, file)
        if track.language == "und":
            track.language = header_language(text)
    elif track.kind == "text":
        track.cues = _embedded_text(video, track)
    else:
        size = (int(meta.width or 720), int(meta.height or 480))
        track.cues = _bitmap(video, track, _plane(video, track, size), meta.duration_s)
    return track.cues


def _plane(video: Path, track: Track, fallback: tuple[int, int]) -> tuple[int, int]:
    from .ffmpeg import probe

    stream = next((s for s in probe(video).subtitles if s.index == track.stream), None)
    return (stream.width, stream.height) if stream and stream.width and stream.height else fallback


def choose(all_tracks: list[Track], video: Path, meta: VideoMeta) -> dict[str, Track]:
    """One track per language: sidecars are read first (their word-level flag decides their rank)."""
    for track in all_tracks:
        if track.kind == "sidecar":
            load_cues(video, track, meta)
    chosen: dict[str, Track] = {}
    for track in sorted(all_tracks, key=Track.rank):
        chosen.setdefault(track.language, track)
    return chosen


def primary(chosen: dict[str, Track]) -> list[Track]:
    """The chosen tracks, best first: a sidecar, else the default stream, else English, else the first."""
    return sorted(chosen.values(), key=lambda t: (t.kind != "sidecar", not t.default, t.language != "en",
                                                  t.rank()))


def subtitle_anchors(video: Path, meta: VideoMeta, extractor: str) -> list[Anchor]:
    """The primary track (the first chosen track with cues) as a `subtitle_track` anchor, and its cues within
    the video's duration as `subtitle` anchors naming the track's language; nothing when no track has cues."""
    chosen = next(((track, cues) for track in primary(choose(tracks(video, meta), video, meta))
                   if (cues := load_cues(video, track, meta))), None)
    if chosen is None:
        return []
    track, cues = chosen
    origin = track.origin if track.kind == "sidecar" else f"{video} (stream {track.stream})"
    duration = meta.duration_s
    out = []
    for s, e, text in sorted(cues):
        if duration is not None and s >= duration:
            warnings.warn(f"{origin}: cue at {s:.3f} s starts at or after the video's end ({duration} s); left out",
                          SubtitleWarning, stacklevel=2)
            continue
        if duration is not None:
            e = min(e, duration)
        out.append(Anchor(id=f"subtitle:{len(out)}", kind="subtitle", t=(s, e), extractor=extractor,
                          c=SubtitleContent(text=text, language=track.language, track="subtitle_track:0")))
    if not out:
        return []
    about = SubtitleTrackContent(language=track.language, origin=track.kind, word_level=track.word_level,
                                 cues=len(out), **({"file": track.origin} if track.kind == "sidecar"
                                                   else {"stream": track.stream}))
    return [Anchor(id="subtitle_track:0", kind="subtitle_track", t=(out[0].start, max(a.end for a in out)), c=about,
                   extractor=extractor), *out]
