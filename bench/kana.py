"""Benchmark: reading sources for name search — start-up, memory, size on disk, coverage.

Run from the repository root::

    python bench/kana.py

For each reader that is installed — ``fugashi`` + ``unidic-lite`` (what graph/names.py
uses), ``sudachipy`` + ``sudachidict_core``, ``janome`` and, for comparison, ``pykakasi``
(GPLv3, no longer a dependency) — a fresh interpreter loads it and reads 「佐藤」 (the
start-up a first search pays and the memory it adds), then reads 428 labels of a workshop
map: 30 common family names, 26 given names of older residents, 12 places and groups, and
family × given names with and without a space. Coverage counts readings equal to the
expected one after the folding graph/names.py applies (NFKC, katakana → hiragana, no
spaces). Readers that are not installed are skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

FAMILY = dict(
    zip(
        "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 "
        "林 斎藤 清水 工藤 菊地 成田 今野 三浦 阿部 石川 遠藤 坂本 原田".split(),
        "さとう すずき たかはし たなか いとう わたなべ やまもと なかむら こばやし かとう よしだ "
        "やまだ ささき やまぐち まつもと いのうえ きむら はやし さいとう しみず くどう きくち "
        "なりた こんの みうら あべ いしかわ えんどう さかもと はらだ".split(),
        strict=True,
    )
)
GIVEN = dict(
    zip(
        "正雄 和子 恵子 勇 茂 節子 清 博 久子 実 弘 信子 勝 良子 文子 隆 洋子 昭 静子 武 春江 "
        "誠 光男 進 千代 花子".split(),
        "まさお かずこ けいこ いさむ しげる せつこ きよし ひろし ひさこ みのる ひろし のぶこ "
        "まさる よしこ ふみこ たかし ようこ あきら しずこ たけし はるえ まこと みつお すすむ "
        "ちよ はなこ".split(),
        strict=True,
    )
)
WORDS = {
    "福祉会館": "ふくしかいかん",
    "集会所": "しゅうかいじょ",
    "老人クラブ": "ろうじんくらぶ",
    "町内会": "ちょうないかい",
    "神社": "じんじゃ",
    "商店": "しょうてん",
    "診療所": "しんりょうじょ",
    "社会福祉協議会": "しゃかいふくしきょうぎかい",
    "雪かき隊": "ゆきかきたい",
    "秋祭り": "あきまつり",
    "くりの木サロン": "くりのきさろん",
    "計算": "けいさん",
}

READERS = {
    "fugashi + unidic-lite": (("fugashi", "unidic-lite"), "fugashi"),
    "sudachipy + sudachidict_core": (("sudachipy", "sudachidict-core"), "sudachi"),
    "janome": (("janome",), "janome"),
    "pykakasi (GPLv3)": (("pykakasi",), "pykakasi"),
}

CHILD = r"""
import json, resource, sys, time, unicodedata
engine, labels = sys.argv[1], json.loads(sys.stdin.read())
K2H = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}
def fold(s):
    return "".join(unicodedata.normalize("NFKC", s).lower().translate(K2H).split())
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if engine == "fugashi":
    from pathlib import Path
    import fugashi, unidic_lite
    d = Path(unidic_lite.DICDIR)
    tagger = fugashi.Tagger(f'-r "{d / "mecabrc"}" -d "{d}"')
    def read(t):
        return "".join(w.feature.kana if w.feature.kana and not w.is_unk else w.surface
                       for w in tagger(t))
elif engine == "sudachi":
    from sudachipy import Dictionary, SplitMode
    tok = Dictionary(dict="core").create(SplitMode.C)
    def read(t):
        return "".join(m.reading_form() for m in tok.tokenize(t))
elif engine == "janome":
    from janome.tokenizer import Tokenizer
    tok = Tokenizer()
    def read(t):
        return "".join(x.reading if x.reading != "*" else x.surface for x in tok.tokenize(t))
else:
    import pykakasi
    k = pykakasi.Kakasi()
    def read(t):
        return "".join(x["hira"] for x in k.convert(t))
read("佐藤")
first = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
t1 = time.perf_counter()
# Spaces are taken out before reading, as graph.names.reading does.
ok = [label for label, want in labels.items() if fold(read("".join(label.split()))) == want]
per = (time.perf_counter() - t1) / len(labels)
print(json.dumps({"first": first, "rss_mb": rss / 1024, "ok": len(ok), "per": per}))
"""


def _size_mb(distributions: tuple[str, ...]) -> float:
    total = 0
    for name in distributions:
        dist = metadata.distribution(name)
        for file in dist.files or ():
            path = Path(dist.locate_file(file))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


def labels() -> dict[str, str]:
    """The labels read, with the expected readings."""
    out = {**FAMILY, **GIVEN, **WORDS}
    for family, f in FAMILY.items():
        for given, g in list(GIVEN.items())[:6]:
            out[f"{family} {given}"] = f + g
            out[family + given] = f + g
    return out


def main() -> int:
    """Measure every installed reader; print the table, the chosen one first."""
    wanted = labels()
    rows = []
    for name, (distributions, engine) in READERS.items():
        try:
            size = _size_mb(distributions)
        except metadata.PackageNotFoundError:
            print(f"{name}: not installed, skipped", flush=True)
            continue
        child = subprocess.run(  # noqa: S603
            [sys.executable, "-c", CHILD, engine],
            input=json.dumps(wanted),
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append((name, size, r))
        print(f"{name}: {r}", flush=True)
    print()
    print(
        "| reader | first reading (ms) | memory added (MB) | on disk (MB) | names read right"
        " | per reading (µs) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, r in rows:
        print(
            f"| {name} | {r['first'] * 1000:.0f} | {r['rss_mb']:.0f} | {size:.0f} |"
            f" {r['ok']}/{len(wanted)} | {r['per'] * 1e6:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
