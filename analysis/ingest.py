"""Read division-of-labour plans (分工方案) into one row per measure, whatever their layout.

The readers of :mod:`analysis.readers` turn each file (text, web page, Word, Excel, CSV, PDF)
into lines and tables of cells; this module assembles measures from them, with one vocabulary
of labels (:mod:`analysis.vocabulary`, kept as data in ``vocabulary.csv``).

**Tables** (and text lines that are a table flattened: cells split by tabs, `` | `` or runs of
spaces): the header row is mapped to fields through the vocabulary (number, group, text, lead,
responsible, leaders, deadline, remarks, roles); a header over two rows is read as one; a header
repeated on a later page is recognised and skipped; a table without a header continues the
previous table's columns. Each row is a measure; a row of one merged cell (or of one filled
cell outside the text column) is a section; rows sharing one merged text cell are one measure.

**Running text** is read by recognisers that give each line a kind: title, header, section
(``一、``), item (``1.`` ``1、`` ``(一)`` ``(1)`` ``①``, a bare ``1`` before text), labelled value
(``牵头单位:…``, several on one line, values ending in ``。``), unit list, person names (a
leader line), deadline, text. The assembler fills the current measure's fields in the order
the header (if any) gives, else lead before responsible.

Decisions where a document is ambiguous, written down once here:

* in the line layout the first unit line after an item is the lead line, the second the
  responsible line, unless a header names other unit columns (a plan whose only unit column is
  责任单位 has no leads); a measure with a single unit line has leads and no responsible units
  (Xialu P1-52);
* a line after an item that cannot be a unit list (it holds 。 or a token longer than
  :data:`MAX_UNIT_CHARS`) continues the measure text when no unit line has been read yet; after
  the units it starts a new, unnumbered measure when the plan has no item numbers (or its
  header has no number column), and is an unread place otherwise;
* a unit list ending in a separator continues on the next line;
* a line of two or three characters starting with a common surname, with no suffix a body
  name ends in (局 委 办 院 …), is a person (a leader), never a unit; names written with a space
  (``刘 哲``) are joined; titles (副市长 …) before a name are dropped;
* in a trailing parenthesis or a 部门分工 value, ``X牵头`` makes X lead; ``X配合`` / ``X参与`` /
  ``X协助`` / ``X按职责分工负责`` make X responsible; a bare ``X负责`` makes X lead when the value
  names no ``牵头`` clause, and responsible otherwise;
* role phrases left at the end of a unit name in any layout (``区财政局配合``) are roles, not part
  of the name: they are stripped and reported;
* a numbered line that gets no units and is followed by a deeper numbering style (``(一)``
  before ``1.``) is a sub-heading, not a measure;
* rows of a table whose text cell is one merged cell are one measure (their units joined);
* measure ids are ``P<plan>-<item>`` (``P1-05``); if item numbers restart within a plan's
  sections they become ``P<plan>-<section>-<item>``, and if they restart under each sub-heading
  of a section too, ``P<plan>-<section>.<sub-heading>-<item>`` (the sub-heading's place in the
  plan); measures without a number are numbered by
  their position in the plan (and reported);
* the issuer is read from the notice heading (``XX人民政府关于印发…的通知``), else from the
  signature line before a date; it is empty when the document does not say;
* labels and role phrases in traditional characters read like simplified ones (only where they
  stand as a label or a role: :func:`~analysis.vocabulary.respell_traditional`);
* an assignment in brackets alone on its line goes to the run of measures before it without
  units, numbered alike under one heading (:meth:`_Assembler.bracket_targets`; reported);
* a note after ``。`` in a labelled bracket, a deadline ending a unit list, ``及`` between two
  body names, ``等部门`` after the last name, a leader label ending a section heading, the
  notice's attachment list and its own numbered points: see the README, "Reading a plan".

Every part of a document is accounted for: each line and table row gets a kind (see
:data:`LINE_KINDS`); a part that fits none is an *unread place* (file, line or cell, value).
:func:`ingest` reports every unread place of every file in one error, or, with
``keep_going=True``, keeps what it could read and lists them in :attr:`Document.unread`.

Examples
--------
>>> doc = parse_text('''
... 某区重点任务分工方案
... 一、优化营商环境
... 1.推行证照分离改革。
... 牵头单位:区市场监督管理局
... 责任单位:区政务服务和大数据局、区司法局
... 完成时限:2023年12月底前
... (2)加强执法监督。(区司法局牵头,区直有关部门按职责分工负责)
... ''', source="demo.txt")
>>> m = doc.measures[0]
>>> m.measure_id, m.lead_units, m.responsible_units, m.deadline
('P1-01', ('区市场监督管理局',), ('区政务服务和大数据局', '区司法局'), '2023年12月底前')
>>> doc.measures[1].text, doc.measures[1].lead_units, doc.measures[1].responsible_units
('加强执法监督。', ('区司法局',), ('区直有关部门',))
"""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
import os
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Mapping, MutableMapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter
from pathlib import Path
from typing import ClassVar

from .errors import DataError, atomic_write, exit_with_parent, write_csv
from .forking import can_fork, usable_cpus
from .readers import FORMATS, Cell, Line, Source, Table, read_source, read_source_text
from .vocabulary import (
    CLOSE,
    OPEN,
    SEPARATORS,
    clean,
    column_field,
    label_field,
    label_regex,
    respell_traditional,
    role_clauses,
    simplified_chars,
    split_units,
)

__all__ = [
    "LINE_KINDS",
    "MAX_UNIT_CHARS",
    "MEASURE_COLUMNS",
    "PARALLEL_MIN_BYTES",
    "Anomaly",
    "Document",
    "IngestError",
    "LineKinds",
    "Measure",
    "Plan",
    "Unread",
    "cn_numeral",
    "expand_sources",
    "ingest",
    "measures_frame",
    "numbering_gaps",
    "parse_file",
    "parse_source",
    "parse_text",
    "plans_frame",
    "preamble_frame",
    "sidecar_paths",
    "split_units",
    "write_measures",
]

#: Columns of ``measures.csv``, in order.
MEASURE_COLUMNS = [
    "measure_id",
    "plan_id",
    "plan_title",
    "section_no",
    "section_title",
    "subsection_title",
    "item_no",
    "text",
    "lead_units_raw",
    "responsible_units_raw",
    "leaders_raw",
    "deadline_raw",
    "issuer",
    "jurisdiction",
    "source_file",
    "source_format",
    "source_line",
    "lead_line",
    "responsible_line",
    "source_place",
    "lead_place",
    "responsible_place",
]

#: The kind given to every non-blank source line and every table row.
LINE_KINDS = (
    "preamble",  # before a plan's first section or item: page chrome, cover letter, signature
    "postscript",  # after the last measure: signature, date, 抄送, page chrome
    "title",  # a plan title (…分工方案, …任务分解表)
    "header",  # a table header (项目 / 具体项目 / 牵头单位 / 责任单位), flattened or a table row
    "section",  # 一、…, or a section row of a table
    "subsection",  # a numbered heading above the items: (一)… before 1.…
    "item",  # N.text, (一)text, …
    "text",  # continuation of the previous item's text
    "lead",  # unlabelled lead line (line layout)
    "responsible",  # unlabelled responsible line (line layout)
    "labelled",  # 牵头单位:… / 责任单位:… / 分管领导:… / 完成时限:…
    "leaders",  # a line of person names
    "deadline",  # a deadline line (全年, 2023年12月底前)
    "row",  # a table row that is a measure (or continues one)
    "unread",  # a place that could not be read (listed in Document.unread)
)

#: A token longer than this cannot be a unit name (the longest in the seed has 11 characters).
MAX_UNIT_CHARS = 30

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "一二三四五六七八九十百零〇两"

_SECTION_RE = re.compile(rf"^([{_CN_NUM}]+)\s*[、.．]\s*(\S.*)$")
# numbering styles, shallow to deep: (一) < 1. < (1) < ①
_ITEM_RES = (
    ("paren_cn", re.compile(rf"^[(（]\s*([{_CN_NUM}]+)\s*[)）]\s*(.*)$")),
    ("arabic", re.compile(r"^(\d{1,3})\s*[.．、﹒](?![.．﹒])\s*(.*)$")),
    ("paren_arabic", re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*(.*)$")),
    ("circled", re.compile(r"^([\u2460-\u2473])\s*(.*)$")),
)
_DEPTH = {"paren_cn": 1, "arabic": 2, "bare": 2, "paren_arabic": 3, "circled": 4, "none": 9}
_BARE_ITEM_RE = re.compile(r"^(\d{1,3})[\s\u3000]+([\u4e00-\u9fff“\"《（(].*)$")
_TITLE_ENDS = (
    "分工方案",
    "任务分工",
    "责任分工",
    "分工表",
    "任务清单",
    "分工安排",
    "分解方案",
    "任务分解表",
    "分解表",
    "责任清单",
    "工作要点",
    "任务台账",
    "分工",
    "责任分解",
    "任务分解",
    "分解清单",
    "工作清单",
    "责任表",
)
_TITLE_END_RE = re.compile(f"({'|'.join(_TITLE_ENDS)})$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?：:]")
_DATE_RE = re.compile(
    r"^\s*(\d{4}|二[〇零○][一二三四五六七八九〇零○]{2})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日\s*$"
)
# page chrome and document furniture: never titles, never measures
_CHROME_RE = re.compile(
    r"(^(名称|索引号|文号|发文字号|发布机构|发布日期|生成日期|成文日期|主题分类|信息来源|来源|发布时间|浏览次数|字号|附件|抄送|联系人|联系电话|"
    r"电话|监督电话|主办|主办单位|承办|版权所有|网站标识码|备案号|扫一扫|分享到|打印|打印本页|关闭|关闭窗口|当前位置|您当前的位置|"
    r"您现在的位置|首页|作者|点击数|浏览量|阅读次数|网站首页|网站地图|联系我们|隐私声明|免责声明)\s*[:：>»|]?)|"
    r"(文号\s*[:：])|(【\s*(打印|关闭|大|中|小|字体)[^】]*】)|(^\(此件公开发布\)$)|(^（此件公开发布）$)|(印发\s*$)|(^[•·]\s)"
)
# _CHROME_RE can match only where a line starts with one of these characters or holds one of these
# literals (its other alternatives): a cheap test that skips the regex for almost every line
_CHROME_FIRST = frozenset(
    w[0] for w in re.match(r"\(\^\(([^)]*)\)", _CHROME_RE.pattern).group(1).split("|")
) | frozenset("(（•·")
_CHROME_LITERALS = ("文号", "【", "印发")
_SPLIT_CELLS = re.compile(r"\s*\|\s*|\t+|[ \u3000]{2,}")
# what a body name ends in: never the last character of a person's name here
_UNIT_END = set("局委办院部会府处所站队庭校社厅行司署心室组团区县市镇乡村街馆场园厂网台盟联组协门位构关道学班科狱")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁"
    "岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛"
    "仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝郜海阚花权强帅屠豆朴盖练廉"
    "禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢"
    "嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    "洪傅萧贝钮滑荀羿汲邴糜松牧隗宓蓬郗仰秋钭韶蓟怀鄂咸籍赖能苍双莘贡逄扈堵宰郦却璩濮寿通别充习宦鱼慎庾终暨"
    "步弘禄东殳沃蔚越夔厍訾毋乜养须巢蒯后红竺益桓"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "端木",
    "申屠",
    "南宫",
    "万俟",
    "闻人",
    "独孤",
)
_TITLE_WORDS = re.compile(
    r"^(省委常委|市委常委|区委常委|县委常委|常务副省长|常务副市长|常务副区长|常务副县长|副省长|省长|副市长|市长|副区长|区长|副县长|县长|"
    r"副州长|州长|副旗长|旗长|副书记|书记|副主任|主任|副部长|部长|副局长|局长|秘书长|副秘书长|政委|常委|同志)+"
)
_DEADLINE_WORDS = re.compile(
    r"(\d{4}\s*年|\d{1,2}\s*月|年底|月底|底前|年内|全年|长期|持续|常态|每年|每季|每月|每半年|季度|上半年|下半年|分阶段|逐步|"
    r"按时|适时|定期|即时|随时|年度|前完成|之前|以前|[一二三四五六七八九十]+月)"
)
_SECTION_LEADER = re.compile(
    r"(?:常务)?副?(?:省长|市长|区长|县长|州长|旗长|书记|主任)([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:牵头|负责|分管|联系)"
)
#: A header cell the vocabulary may not know, one per line (目标名称, 工 作 标 准, 区政府): 2 to 10
#: Chinese characters, spaces between them allowed, nothing else.
_HEADER_CELL = re.compile(r"^(?:[\u4e00-\u9fff][ \u3000]?){1,9}[\u4e00-\u9fff]$")
#: The notice's list of attachments: 附件:1. …表 (the next lines 2. …表, 3. …表 belong to it).
_ATTACHMENTS = re.compile(r"^附\s*件\s*[:：]\s*(?:\d{1,2}\s*[.．、]\s*)?\S")
_NUMBER_ONLY = re.compile(
    rf"^(?:\d{{1,3}}|[{_CN_NUM}]{{1,4}})[.．、]?$|^[(（]\s*(?:\d{{1,3}}|[{_CN_NUM}]{{1,4}})\s*[)）]$"
)


def cn_numeral(s: str) -> int:
    """Convert a Chinese or Arabic numeral below 1000 (or a circled number) to an int.

    >>> [cn_numeral(x) for x in ("一", "十", "十二", "二十", "三十五", "一百零三", "56", "③")]
    [1, 10, 12, 20, 35, 103, 56, 3]
    """
    if s.isdigit() and s.isascii():
        return int(s)
    if len(s) == 1 and 0x2460 <= ord(s) <= 0x2473:
        return ord(s) - 0x2460 + 1
    if s.isdecimal():
        return int(s)
    total, digit = 0, None
    for ch in s:
        if ch == "百":
            total += (digit or 1) * 100
            digit = None
        elif ch == "十":
            total += (digit or 1) * 10
            digit = None
        elif ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            raise ValueError(f"not a numeral: {s!r}")
    return total + (digit or 0)


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something odd but readable in a source, reported in the data-quality report."""

    source_file: str
    line: int | None
    kind: str
    value: str
    detail: str = ""
    place: str = ""  # the cell or paragraph, for sources without line numbers


@dataclass(frozen=True, slots=True)
class Unread:
    """A place of a source that could not be read: where, why, and what it holds."""

    source_file: str
    place: str
    message: str
    value: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source_file}:{self.line}" if self.line is not None else f"{self.source_file} [{self.place}]"
        return f"{where}: {self.message}: {self.value!r}"


class IngestError(DataError):
    """Every place of the sources that could not be read, in one error (:attr:`problems`)."""

    def __init__(self, problems: list[Unread]):
        self.problems = list(problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(first.source_file, first.line, first.message, value=first.value)
            if first.line is None and first.place:
                self.args = (f"{first.source_file} [{first.place}]: {first.message}: {first.value!r}",)
        else:
            listing = "\n".join(f"  {p}" for p in self.problems[:50])
            more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
            super().__init__(
                None,
                None,
                f"{len(self.problems)} places could not be read (use --keep-going to write the rest):\n{listing}{more}",
            )

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True, slots=True)
class Plan:
    """One division-of-labour plan within a source file."""

    plan_id: str
    plan_title: str
    source_file: str
    title_line: int | None  # None when the file has no title line (or the title is a cell)
    preamble: tuple[tuple[int | str, str], ...] = ()
    issuer: str = ""
    jurisdiction: str = ""  # the government the plan belongs to (analysis.jurisdiction)


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure (具体项目) with its units as written."""

    measure_id: str
    plan_id: str
    plan_title: str
    section_no: int | None
    section_title: str
    item_no: int
    text: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    source_file: str
    source_line: int | None
    lead_line: int | None
    responsible_line: int | None
    subsection_title: str = ""
    leaders: tuple[str, ...] = ()
    deadline: str = ""
    issuer: str = ""
    source_format: str = "txt"
    source_place: str = ""
    lead_place: str = ""
    responsible_place: str = ""

    def __reduce__(self):
        # Pickled as its fields (a forked worker's measures go to the parent): at a million
        # measures about twice as fast both ways as dataclasses' per-slot state of a frozen class.
        return (Measure, _measure_fields(self))


_measure_fields = attrgetter(*(f.name for f in dataclass_fields(Measure)))


class LineKinds(MutableMapping):
    """``(source_file, line or place) -> kind``: a mapping stored compactly, one byte per line.

    A corpus of a million measures has some three million lines; as a dict of tuples they
    would take half a gigabyte. Here each file keeps a ``bytearray`` indexed by line number
    (the kind's position in :data:`LINE_KINDS` plus one; 0 = no entry) and a small dict for
    places without a line number (``table 1, row 3``). It behaves as the dict it replaces,
    except that a file's line numbers iterate in order, then its places in insertion order.

    >>> k = LineKinds()
    >>> k[("a.txt", 3)] = "item"; k[("a.txt", "table 1, row 2")] = "row"; k[("a.txt", 1)] = "title"
    >>> list(k.items()), len(k), ("a.txt", 2) in k
    ([(('a.txt', 1), 'title'), (('a.txt', 3), 'item'), (('a.txt', 'table 1, row 2'), 'row')], 3, False)
    """

    __slots__ = ("_files",)
    _CODE: ClassVar[dict[str, int]] = {k: i + 1 for i, k in enumerate(LINE_KINDS)}

    def __init__(self, items=()):
        self._files: dict[str, list] = {}  # source -> [bytearray of line kinds, {place: kind}, count of lines]
        self.update(items)

    def _file(self, source: str) -> list:
        f = self._files.get(source)
        if f is None:
            f = self._files[source] = [bytearray(), {}, 0]
        return f

    def __setitem__(self, key, kind: str) -> None:
        source, where = key
        code = self._CODE[kind]
        f = self._file(source)
        if isinstance(where, int) and not isinstance(where, bool) and 0 <= where < 1 << 24:
            lines = f[0]
            if where >= len(lines):
                lines.extend(bytes(where + 1 - len(lines)))
            if not lines[where]:
                f[2] += 1
            lines[where] = code
        else:
            f[1][where] = kind

    def __getitem__(self, key) -> str:
        source, where = key
        f = self._files.get(source)
        if f is not None:
            if isinstance(where, int) and not isinstance(where, bool):
                if 0 <= where < len(f[0]) and f[0][where]:
                    return LINE_KINDS[f[0][where] - 1]
            elif where in f[1]:
                return f[1][where]
        raise KeyError(key)

    def __delitem__(self, key) -> None:
        source, where = key
        self[key]  # KeyError if absent
        f = self._files[source]
        if isinstance(where, int) and not isinstance(where, bool) and where < len(f[0]) and f[0][where]:
            f[0][where] = 0
            f[2] -= 1
        else:
            del f[1][where]

    def __iter__(self):
        for source, (lines, places, _) in self._files.items():
            for n in range(len(lines)):
                if lines[n]:
                    yield (source, n)
            for where in places:
                yield (source, where)

    def __len__(self) -> int:
        return sum(f[2] + len(f[1]) for f in self._files.values())

    def values(self):
        """The kinds, in the order of the keys (without building the keys)."""
        out = []
        for lines, places, _ in self._files.values():
            out += [LINE_KINDS[c - 1] for c in lines if c]
            out += places.values()
        return out

    def update(self, other=(), /, **kw) -> None:
        if isinstance(other, LineKinds):  # files of another document: merged whole when new here
            for source, f in other._files.items():
                if source not in self._files:
                    self._files[source] = [bytearray(f[0]), dict(f[1]), f[2]]
                else:
                    for n in range(len(f[0])):
                        if f[0][n]:
                            self[(source, n)] = LINE_KINDS[f[0][n] - 1]
                    for where, kind in f[1].items():
                        self[(source, where)] = kind
            return
        super().update(other, **kw)

    def __repr__(self) -> str:
        return f"LineKinds({dict(self.items())!r})"

    def __reduce__(self):  # the compact form travels (a worker's document to its parent)
        return (_line_kinds_of, (self._files,))

    def __eq__(self, other) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None


def _line_kinds_of(files: dict) -> LineKinds:
    k = LineKinds()
    k._files = files
    return k


@dataclass
class Document:
    """What :func:`ingest` read from one or more sources."""

    plans: list[Plan] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    #: ``(source_file, line or place) -> kind`` for every non-blank line and table row
    #: (a :class:`LineKinds`: a dict's behaviour, one byte per line).
    line_kinds: LineKinds = field(default_factory=LineKinds)
    #: ``source_file -> encoding`` as detected ("" for binary formats).
    encodings: dict[str, str] = field(default_factory=dict)
    #: ``source_file -> format`` (txt, html, docx, xlsx, csv, pdf, doc, rtf, xls).
    formats: dict[str, str] = field(default_factory=dict)
    #: places that could not be read (kept only with ``keep_going``; else they raise).
    unread: list[Unread] = field(default_factory=list)
    #: ``plan_id -> (jurisdiction, how it was decided)`` (:func:`analysis.jurisdiction.assign`).
    jurisdictions: dict[str, tuple[str, str]] = field(default_factory=dict)

    def extend(self, other: Document) -> Document:
        """Append another document's content (plan ids must already be distinct)."""
        self.plans += other.plans
        self.measures += other.measures
        self.anomalies += other.anomalies
        self.line_kinds.update(other.line_kinds)
        self.encodings.update(other.encodings)
        self.formats.update(other.formats)
        self.unread += other.unread
        self.jurisdictions.update(other.jurisdictions)
        return self

    def kind_counts(self) -> Counter:
        """Number of non-blank lines (and table rows) of each kind."""
        return Counter(self.line_kinds.values())


# --------------------------------------------------------------------------------------------
# recognisers: what one line or cell value is


def _title_end(s: str) -> bool:
    """``_TITLE_END_RE.search(s)`` (``$`` also matches before a final line break), without a regex."""
    return s.endswith(_TITLE_ENDS) or (s.endswith("\n") and s[:-1].endswith(_TITLE_ENDS))


def _is_title(s: str) -> bool:
    return (
        len(s) <= 120
        and _title_end(s)
        and not _SENTENCE_PUNCT.search(s)
        and not _SECTION_RE.match(s)
        and not _match_item(s)
    )


def _notice_title(lines: list[str]) -> str:
    """A plan's title from the notice that issues it: the first 《…》 that names a plan."""
    for s in lines:
        for t in re.findall(r"《([^《》]{4,80})》", s):
            if _TITLE_END_RE.search(t):
                return t
    return ""


#: Last words of a plan's title that :data:`_TITLE_ENDS` leaves out because a measure may end in
#: them too (制定…工作方案): a title only in a plan's preamble (:func:`_preamble_title`).
_PLAN_NOUNS = ("方案", "计划", "工作要点", "清单", "任务表", "台账", "工作安排")


def _preamble_title(lines) -> str:
    """The title of a plan whose lines named none: the last line of its preamble (``(key, text)``
    pairs) that reads as a title, short, without sentence punctuation, not numbered, ending in a
    word of :data:`_PLAN_NOUNS` (…实施方案, …三年行动计划); empty if there is none.

    >>> _preamble_title([(1, "关于印发《某区方案》的通知"), (2, "某区营商环境行动实施方案"), (3, "为……,制定本方案。")])
    '某区营商环境行动实施方案'
    """
    found = ""
    for _, s in lines:
        t = s.strip()
        if (
            6 <= len(t) <= 60
            and t.endswith(_PLAN_NOUNS)
            and not _SENTENCE_PUNCT.search(t)
            and not re.search(r"[,，;；、《》]", t)
            and not _SECTION_RE.match(t)
            and not _match_item(t)
        ):
            found = t
    return found


def _is_chrome(s: str) -> bool:
    if len(s) > 80 and "文号" not in s:  # page furniture is short (the 名称:…文号: line aside)
        return False
    if (s[:1] in _CHROME_FIRST or any(w in s for w in _CHROME_LITERALS)) and _CHROME_RE.search(s):
        return True
    return _may_start_number(s) and bool(_DATE_RE.match(s))


#: What a numbered line (section, item, 序号 cell, date) can start with, spaces aside.
_NUMBER_FIRST = frozenset(_CN_NUM + "(（" + "".join(map(chr, range(0x2460, 0x2474))))


def _may_start_number(s: str) -> bool:
    """Can `s` (spaces at its start ignored) start with a numeral or a bracket? If not, no
    section, item, number cell or date pattern can match it (all are anchored there)."""
    c = s.lstrip()[:1]
    return c in _NUMBER_FIRST or c.isdecimal()


def _header_fields(cells: list[str]) -> list[str | None] | None:
    """The fields of a header row, or None when the cells are not a header.

    At least two cells must be listed phrases of the vocabulary, one a task (text or group) and
    one a unit or leader column; one unknown column in three is allowed (and reported).
    """
    fields = [column_field(c) if c.strip() else None for c in cells]
    named = [f for f, c in zip(fields, cells, strict=True) if c.strip()]
    exact = sum(1 for c in cells if c.strip() and column_field(c, strict=True))
    unknown = [k for k, (f, c) in enumerate(zip(fields, cells, strict=True)) if c.strip() and f is None]
    if len(named) < 2 or exact < 2 or len(unknown) * 3 > len(named):
        return None
    if len(unknown) == 1 and not any(f in ("text", "group") for f in named) and len(cells[unknown[0]]) <= 12:
        fields[unknown[0]] = "text"  # 序号 | 民生实事 | 责任单位: the one unknown column is the task
        named = [f for f, c in zip(fields, cells, strict=True) if c.strip()]
    if not any(f in ("text", "group") for f in named) or not any(
        f in ("lead", "responsible", "roles", "leaders") for f in named
    ):
        return None
    return fields


def _line_header(s: str) -> list[str] | None:
    """The header words of a line made only of header words (spaced-out words joined), else None."""
    if len(s) > 80 or _SENTENCE_PUNCT.search(s) or "、" in s:
        return None
    tokens = [t for t in re.split(r"\s*\|\s*|\s+", s) if t]
    words: list[str] = []
    run = ""
    for t in tokens:  # 重 点 工 作 任 务 -> 重点工作任务
        if len(t) == 1 and not t.isascii():
            run += t
            continue
        if run:
            words.append(run)
            run = ""
        words.append(t)
    if run:
        words.append(run)
    if not words or not all(column_field(w, strict=True) for w in words):
        return None
    return words


def _cells(s: str) -> list[str] | None:
    """A line split into cells: at ``|`` (empty cells kept: they hold a column's place), else at
    tabs or runs of two or more spaces (empty cells vanish there); None for an unsplit line."""
    if "|" not in s and "\t" not in s and "  " not in s and "\u3000" not in s and " \u3000" not in s:
        return None
    if "|" in s:
        t = s.strip()
        if t.startswith("|"):
            t = t[1:-1] if t.endswith("|") else t[1:]
        parts = [clean(c) for c in t.split("|")]
        return parts if len(parts) >= 2 else None
    if _SPLIT_CELLS.search(s):
        return [c for c in (clean(c) for c in _SPLIT_CELLS.split(s)) if c]
    return None


def _match_item(s: str):
    """``(number, text, style)`` of an item line, or None."""
    if not _may_start_number(s):
        return None
    for style, rx in _ITEM_RES:
        m = rx.match(s)
        if m:
            return cn_numeral(m.group(1)), m.group(2).strip(), style
    m = _BARE_ITEM_RE.match(s)
    if m:
        return int(m.group(1)), m.group(2).strip(), "bare"
    return None


def _number_style(s: str) -> str:
    """The numbering style of a 序号 cell: ``(1)`` paren_arabic, ``(一)`` paren_cn, ``1.`` arabic, ``1`` bare."""
    s = re.sub(r"\s", "", s)
    if s[:1] in "(（":
        return "paren_arabic" if any(ch.isdigit() for ch in s) else "paren_cn"
    if s[:1] and 0x2460 <= ord(s[0]) <= 0x2473:
        return "circled"
    if s[-1:] in ".．、﹒":
        return "arabic"
    return "bare"


def _number_cell(s: str) -> int | None:
    if len(s) > 12 or not _may_start_number(s):
        return None
    s = re.sub(r"\s", "", s)
    if not _NUMBER_ONLY.match(s):
        return None
    try:
        return cn_numeral(s.strip("()（）.．、"))
    except ValueError:
        return None


# The recognisers of unit lists, leaders and deadlines are pure functions of a line, and plans
# repeat the same unit lists many times: they remember their answers (the line's text is the key).
@lru_cache(maxsize=1 << 16)
def _is_deadline(s: str) -> bool:
    s = clean(s)
    return (
        0 < len(s) <= 30 and "。" not in s and bool(_DEADLINE_WORDS.search(s)) and not _looks_like_units(s, strict=True)
    )


def _persons(s: str, *, labelled: bool = False) -> list[str] | None:
    """The person names of a leader value (``林克庆``, ``刘 哲``, ``副市长刘兴达、王某``), or None.

    Outside a leader label or column (`labelled` false) a two-character name counts only when
    written with a space (``刘 哲``): unlabelled two-character words are far more often short
    body names (文旅, 商务).
    """
    names = _persons_of(s, labelled)
    return None if names is None else list(names)


@lru_cache(maxsize=1 << 16)
def _persons_of(s: str, labelled: bool) -> tuple[str, ...] | None:
    """:func:`_persons`, remembered (as a tuple)."""
    s = clean(s).rstrip("。;；,，")
    if not s or len(s) > 40 or (len(s) > 4 and not _NAME_SEPARATORS.search(s)) or _SENTENCE_PUNCT.search(s):
        return None
    parts = [p for p in _NAME_SPLIT.split(s) if clean(p)]
    names = []
    for p in parts:
        p = clean(p)
        subs = p.split()
        # "刘 哲" is one name written with a space; "林克庆 王某某" two names
        candidates = subs if len(subs) > 1 and all(len(x) >= 2 for x in subs) else ["".join(subs)]
        for c in candidates:
            c = _TITLE_WORDS.sub("", c) if labelled else c
            c = _TRAILING_SUFFIX.sub("", c)
            if not _is_person(c) or (not labelled and len(c) == 2 and len(subs) == 1):
                return None
            names.append(c)
    return tuple(names) or None


_NAME_SEPARATORS = re.compile(r"[、,，;；/\s\u3000]")
_NAME_SPLIT = re.compile(r"[、,，;；/]|\s{2,}|\u3000")
_TRAILING_SUFFIX = re.compile(r"(同志|等)$")


def _is_person(c: str) -> bool:
    if not 2 <= len(c) <= 4 or not all("\u4e00" <= ch <= "\u9fff" or ch == "·" for ch in c):
        return False
    if c[-1] in _UNIT_END:
        return False
    if c[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(c) <= 4
    return c[0] in _SURNAMES and len(c) <= 3


_BODY_ENDINGS = ("公司", "集团", "专班", "党组", "党委", "各地", "成员单位", "有关方面", "人大", "各级")
_TRAILING_BRACKET = re.compile(r"[(（〔【\[][^)）〕】\]]*[)）〕】\]]$")


def _body_like(name: str) -> bool:
    """Does a name end like a body's name (局, 委, 办, 院, 部门, 公司 …; brackets at the end ignored)?"""
    n = _TRAILING_BRACKET.sub("", name) or name
    return bool(n) and (n[-1] in _UNIT_END or n.endswith(_BODY_ENDINGS))


@lru_cache(maxsize=1 << 16)
def _looks_like_units(s: str, *, strict: bool = False) -> bool:
    """Can `s` be a unit list: no sentence punctuation, names of 2 to 30 characters, at least half
    of them (all of them with `strict`) ending like a body's name?"""
    if _SENTENCE_PUNCT.search(s):
        return False
    units, _, _ = split_units(s)
    if not units or not all(2 <= len(u) <= MAX_UNIT_CHARS for u in units):
        return False
    bodies = sum(map(_body_like, units))
    return bodies == len(units) if strict else 2 * bodies >= len(units)


def _line_labels(s: str) -> list:
    """The line labels of `s` (:func:`~analysis.vocabulary.label_regex` matches); every label ends in a colon."""
    if ":" not in s and "：" not in s:
        return []
    return list(label_regex().finditer(s))


def _ji_parts(name: str) -> list[str]:
    """`name` split at each 及 that stands between two names ending like a body's name, read in
    simplified characters (``州委编办及州直相关单位``, ``市級各有關部門及各縣市區政府``); else ``[name]``.

    A part that refers back to the body before it (其…, 所属…, 下属…, 直属…: 区政府及其部门,
    区卫健局及下属医院) keeps the name whole: it names no body of its own.

    >>> _ji_parts("州委编办及州直相关单位"), _ji_parts("区城市管理及综合执法局"), _ji_parts("区政府及所属部门")
    (['州委编办', '州直相关单位'], ['区城市管理及综合执法局'], ['区政府及所属部门'])
    """
    parts = name.split("及")
    if len(parts) < 2 or not all(len(p) >= 2 and _body_like(simplified_chars(p)) for p in parts):
        return [name]
    if any(simplified_chars(p).startswith(_BACK_REFERENCES) for p in parts[1:]):
        return [name]
    return parts


#: How a part after 及 refers back to the body before it (its own departments, units under it).
_BACK_REFERENCES = ("其", "所属", "下属", "直属", "所辖", "下辖")


def _closing_brackets(text: str) -> str:
    """The brackets that end `text` (a final 。 aside) when they hold a role phrase or a label
    word, else ``""``: the assignment a measure without units may have that could not be read."""
    body = text.rstrip("。.;；")
    i = _last_bracket_start(body)
    if i is None:
        return ""
    inner = body[i:]
    return inner if _ROLE_OR_LABEL.search(inner) else ""


_ROLE_VERBS = "牵头|配合|负责|参与|协助|协同"
#: Words that make a bracket an assignment (a role verb or a label word), not an aside.
_ROLE_OR_LABEL = re.compile(f"{_ROLE_VERBS}|单位|部门")
#: The same, more strictly: a role verb or a label with its colon (so that 各部门 alone is not one).
_ASSIGNING = re.compile(f"{_ROLE_VERBS}|(单位|部门)[:：]")


def _open_bracket_start(text: str) -> int | None:
    """Where the last bracket of `text` that is never closed opens, or None.

    >>> _open_bracket_start("推进改革。(牵头单位:区发改局;"), _open_bracket_start("推进(试点)改革")
    (5, None)
    """
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in CLOSE:
            depth += 1
        elif text[i] in OPEN:
            if depth == 0:
                return i
            depth -= 1
    return None


def _last_bracket_start(body: str) -> int | None:
    """Where the bracket that closes `body` opens (nested brackets matched), or None when
    `body` does not end with a closing bracket or it is never opened."""
    if not body or body[-1] not in CLOSE:
        return None
    depth = 0
    for i in range(len(body) - 1, -1, -1):
        if body[i] in CLOSE:
            depth += 1
        elif body[i] in OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def _trailing_paren(text: str):
    """Find an assignment in a trailing parenthesis.

    Returns ``(text_without_it, content, kind)`` where kind is ``"roles"`` (clauses ending in
    role phrases) or ``"labels"`` (``牵头单位:…;责任单位:…``), or ``None``.
    """
    body = text.rstrip("。.;；")
    i = _last_bracket_start(body)
    if i is None:
        return None
    content = body[i + 1 : -1]
    stripped = body[:i].rstrip()
    tail = text[len(body) :]  # keep a final 。 that followed the parenthesis
    if label_regex().match(clean(content)):
        return stripped + tail, content, "labels"
    if role_clauses(content, max_chars=MAX_UNIT_CHARS) is None:
        return None
    return stripped + tail, content, "roles"


# --------------------------------------------------------------------------------------------
# the assembler


@dataclass
class _Item:
    plan_index: int
    section_no: int | None
    section_title: str
    subsection: str
    item_no: int | None
    text: str
    line: int | None
    place: str
    style: str = "none"
    lead: list[str] = field(default_factory=list)
    resp: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    deadline: str = ""
    lead_line: int | None = None
    resp_line: int | None = None
    lead_place: str = ""
    resp_place: str = ""
    n_unit_lines: int = 0
    form: str = ""  # "", "lines", "labelled", "parenthesis", "table"
    open_list: str = ""  # "lead"/"resp" when the last unit line ended in a separator
    text_key: str = ""  # the merged text cell of a table measure
    number_key: str = ""  # the merged number cell of a table measure
    section_ord: int = 0  # the section's position in the plan (for ids when numbers restart)
    bracket_key: int | str | None = None  # the line whose bracket the next lines go on with


def _key(x) -> int | str:
    """The key of a :class:`Line`, an item or a block in the line kinds and notes: its line
    number, else its place."""
    return x.line if x.line is not None else x.place


def _section_heading(s: str) -> tuple[int, str] | None:
    """``(number, title)`` of a section heading ``一、…`` (``_SECTION_RE``), or None."""
    m = _SECTION_RE.match(s)
    return (cn_numeral(m.group(1)), clean(m.group(2))) if m else None


def _row_place(cell: Cell) -> str:
    p = re.sub(r", column \d+$", "", cell.place)
    return re.sub(r"!([A-Z]+)(\d+)$", r"!row \2", p)


def _cell_text(c: Cell) -> str:
    """A cell's text on one line (its line breaks dropped), cleaned."""
    return clean(c.text.replace("\n", ""))


def _find_header(rows: list[list[Cell]]) -> tuple[int | None, list[str | None] | None]:
    """``(index, fields)`` of the first row of a table that is a header (:func:`_header_fields`),
    or ``(None, None)``."""
    for r, row in enumerate(rows):
        f = _header_fields([c.text for c in row])
        if f is not None:
            return r, f
    return None, None


def _row_values(row: list[Cell], fields: list[str | None]) -> dict[str, list[Cell]]:
    """The filled cells of a table row by field (a cell of no field left out), in column order."""
    vals: dict[str, list[Cell]] = defaultdict(list)
    for c, f in zip(row, fields, strict=False):
        if f is not None and clean(c.text):
            vals[f].append(c)
    return vals


def _is_section_row(vals: dict[str, list[Cell]], filled: list[Cell]) -> bool:
    """Is a table row (its values by field, its filled cells) a section row: one merged cell
    across the row, or one filled cell with no units or leaders?"""
    unit_cells = vals.get("lead", []) + vals.get("responsible", []) + vals.get("roles", [])
    distinct = {c.key for c in filled}
    return (len(distinct) == 1 and len(filled) > 1) or (not unit_cells and len(filled) == 1 and not vals.get("leaders"))


class _Assembler:
    def __init__(self, src: Source, first_plan: int):
        self.src = src
        self.name = src.name
        self.doc = Document()
        self.doc.encodings[src.name] = src.encoding
        self.doc.formats[src.name] = src.format
        self.first_plan = first_plan
        self.plans: list[dict] = []
        self.doc_preamble: list[tuple[int | str, str]] = []
        self.items: list[_Item] = []
        self.section: tuple[int | None, str] = (None, "")
        self.subsection = ""
        self.current: _Item | None = None
        self.schema: list[str | None] | None = None  # fields of the active header, by column
        self.line_schema: list[str] | None = None  # fields of a flattened header, in order
        self.last_kind = ""
        self.text_key: int | str | None = None
        self.notice_lines: list[str] = []
        self.section_ord = 0
        self.first_row = False  # the next table row is the first of a table without its own header
        self.pending = None  # the last table row, kept until the next shows it is not continued
        self.bar_cells = False  # a line "cell |" was read (one cell per line, each closed by a bar)
        self.held_header: list[tuple] = []  # unknown header cells after a header line (header_cell_line)
        self.section_leaders: list[str] = []  # 一、区长陈兴立牵头重点工作: the leader of the section's measures
        self.id_unread: list[int] = []  # the places of doc.unread whose value is a measure id

    # ---- bookkeeping
    def kind(self, key, k):
        self.doc.line_kinds[(self.name, key)] = k
        self.last_kind = k
        if k in ("item", "text"):
            self.text_key = key  # the last line of a measure's text

    def anomaly(self, key, kind, value, detail=""):
        line = key if isinstance(key, int) else None
        place = key if isinstance(key, str) else ""
        self.doc.anomalies.append(Anomaly(self.name, line, kind, value, detail, place))

    def unread(self, key, message, value):
        line = key if isinstance(key, int) else None
        place = key if isinstance(key, str) else f"line {key}"
        self.doc.unread.append(Unread(self.name, place, message, value, line))
        self.kind(key, "unread")

    def new_plan(self, title: str, key):
        self.plans.append({"title": title, "key": key, "preamble": [], "started": False})
        self.section, self.subsection, self.current = (None, ""), "", None
        self.schema = self.line_schema = None

    def started(self) -> bool:
        return bool(self.plans) and self.plans[-1]["started"]

    def start(self):
        if not self.plans:
            self.new_plan("", None)
        self.plans[-1]["started"] = True

    def preamble(self, key, s):
        (self.plans[-1]["preamble"] if self.plans else self.doc_preamble).append((key, s))
        self.notice_lines.append(s)
        self.kind(key, "preamble")

    def new_item(self, number, text, key, style, *, line=None, place=""):
        self.start()
        it = _Item(
            len(self.plans) - 1,
            self.section[0],
            self.section[1],
            self.subsection,
            number,
            text,
            line if line is not None else (key if isinstance(key, int) else None),
            place or (f"line {key}" if isinstance(key, int) else str(key)),
            style,
        )
        it.section_ord = self.section_ord
        it.leaders = list(self.section_leaders)
        self.items.append(it)
        self.current = it
        return it

    def note_units(self, key, notes, roles, where):
        for n in notes:
            self.anomaly(key, "separator", where, n)
        for r in roles:
            if r:
                self.anomaly(key, "role phrase", where, f"stripped {r!r}")

    def add_units(self, it: _Item, role: str, units: list[str], key, place: str = "", line: int | None = None):
        joined = "".join(units)
        units = self.split_ji(units, key) if "及" in joined else units
        if "|" in joined:  # a registry writes a unit's aliases joined by |
            for u in units:
                if "|" in u:
                    self.unread(key, "a unit name may not hold '|' (it joins a registry's aliases)", u)
            units = [u for u in units if "|" not in u]
        line = key if isinstance(key, int) else line
        if role == "lead":
            it.lead += units
            it.lead_line = it.lead_line or line
            it.lead_place = it.lead_place or place or (f"line {key}" if line else str(key))
        else:
            it.resp += units
            it.resp_line = it.resp_line or line
            it.resp_place = it.resp_place or place or (f"line {key}" if line else str(key))

    def split_ji(self, units: list[str], key) -> list[str]:
        """`units` with a name made of two names joined by 及 split in two (州委编办及州直相关单位),
        each split reported; a 及 inside one name (区城市管理及综合执法局) stays."""
        out = []
        for u in units:
            parts = _ji_parts(u)
            if len(parts) > 1:
                self.anomaly(key, "separator", u, f"及 between {len(parts)} names: split")
            out += parts
        return out

    # ---- values
    def unit_value(self, key, value: str, role: str, it: _Item, place: str = "", line: int | None = None) -> bool:
        """Add a unit-list value to `role` of `it`; roles written inside the value win."""
        value = clean(value).rstrip("。;；")
        if not value:
            return True
        clauses = (
            role_clauses(value, max_chars=MAX_UNIT_CHARS) if re.search("牵头|配合|负责|参与|协助|协同", value) else None
        )
        if clauses and len(clauses) > 1:
            for units, r in clauses:
                self.add_units(it, r, units, key, place, line)
            return True
        units, roles, notes = split_units(value)
        if len(units) > 1 and not roles[-1] and _is_deadline(units[-1]) and not it.deadline:
            # 责任单位:州司法局、各县市人民政府,6月底完成: the list ends in the deadline
            it.deadline = units.pop().rstrip("。")
            roles.pop()
            self.anomaly(key, "deadline", it.deadline, "at the end of the unit list: the deadline")
        self.note_units(key, notes, roles, value)
        bad = [u for u in units if not 2 <= len(u) <= MAX_UNIT_CHARS]
        if bad:
            self.unread(key, "not a unit name", bad[0])
            return False
        self.add_units(it, role, units, key, place, line)
        return True

    def leader_value(self, key, value: str, it: _Item, *, labelled: bool):
        names = _persons(value, labelled=labelled)
        if names is None:
            v = clean(value).rstrip("。;；,，")
            if v:  # 牵头领导:市长,副市长 names offices, not people
                self.anomaly(key, "leader", v, "names no person (an office or a title?): not a leader")
            return
        it.leaders += [n for n in names if n not in it.leaders]

    def labelled(self, key, s: str, it: _Item) -> bool:
        """Fill `it` from a line of labels; False (after an unread note) if a value cannot be read."""
        labels = _line_labels(s)
        ok = True
        for j, lm in enumerate(labels):
            end = labels[j + 1].start() if j + 1 < len(labels) else len(s)
            value = clean(s[lm.end() : end]).rstrip(";；,，。 ")
            fld = label_field(lm.group(1))
            if fld in ("lead", "responsible") and "。" in value:
                # 〔责任单位:省发展改革委、省大数据中心按职责分工负责。具体任务均涉及…,下同。〕: a note follows
                value, _, note = value.partition("。")
                if clean(note):
                    self.anomaly(
                        key, "note", clean(note)[:60], f"text after 。 in the {lm.group(1)} value: a note, not units"
                    )
            if fld in ("lead", "responsible"):
                if not value:
                    self.anomaly(key, "empty label", lm.group(1), "no unit named")
                ok &= self.unit_value(key, value, fld, it)
            elif fld == "roles":
                clauses = role_clauses(value, max_chars=MAX_UNIT_CHARS)
                if clauses is None:
                    self.unread(key, f"cannot read the roles of {lm.group(1)}", value)
                    ok = False
                    continue
                for units, r in clauses:
                    self.add_units(it, r, units, key)
            elif fld == "leaders":
                self.leader_value(key, value, it, labelled=True)
            elif fld == "deadline":
                it.deadline = (it.deadline + ";" if it.deadline else "") + value
            # remarks: kept in the source only
        return ok

    def item_text(self, it: _Item, key):
        """Take labels, a trailing parenthesis and an inline deadline out of an item's text."""
        text = it.text
        m = next((m for m in _line_labels(text) if m.start() > 0), None)
        if m and text[m.start() - 1] in "。;；,， \t\u3000":
            it.text = clean(text[: m.start()])
            it.form = "labelled"
            self.labelled(key, text[m.start() :], it)
            text = it.text
        paren = _trailing_paren(text)
        if paren:
            it.text, content, how = paren
            it.form = "parenthesis" if how == "roles" else "labelled"
            if how == "labels":
                self.labelled(key, clean(content), it)
            else:
                for units, r in role_clauses(content, max_chars=MAX_UNIT_CHARS):
                    self.add_units(it, r, units, key)
                if re.search(rf"[{SEPARATORS}]{{2,}}", content):
                    self.note_units(key, ["doubled separator"], [], content)

    # ---- lines
    def line(self, ln: Line):
        """Read one line of text (a :class:`Line`); returns nothing.

        The first of the readings below that takes the line records it (each returns True when
        it did): page furniture, a row of cells, a title, a section, an item, a header line, a
        labelled line, a line with no measure to follow; any other line belongs to the current
        measure (:meth:`cell_line`).
        """
        s = clean(ln.text)
        if not s:
            return
        key = _key(ln)
        self.flush_row()
        if s.endswith("|") and s.count("|") == 1 and len(s) > 1:
            # 序号 | / 重点工作 | / 1 |: a table copied one cell per line, each cell closed by a bar
            s = clean(s[:-1])
            if not self.bar_cells:
                self.anomaly(key, "table", ln.text[:20], "one cell per line, each ending in '|': the bars dropped")
            self.bar_cells = True
        if (self.held_header or self.last_kind == "header") and self.header_cell_line(key, s, ln):
            return
        self.read_line(key, s, ln)

    def read_line(self, key, s: str, ln: Line):
        """:meth:`line` after the header cells held back (:meth:`header_cell_line`)."""
        if (
            self.chrome_line(key, s)
            or self.open_bracket_line(key, s)
            or self.cells_line(key, s, ln)
            or self.title_line(key, s)
            or self.section_line(key, s)
            or self.item_line(key, s, ln)
            or self.header_line(key, s)
            or self.bracket_line(key, s)
            or self.label_line(key, s)
            or self.loose_line(key, s, ln)
        ):
            return
        self.cell_line(key, s, ln)

    def open_bracket_line(self, key, s: str) -> bool:
        """Takes a line; True if it goes on with the assignment in brackets that the current
        measure's text opened and did not close (``…。(牵头单位:区政务服务局;`` /
        ``责任单位:区住建局)``): the line joins the text (reported), and once the bracket closes
        the assignment is read as if it stood on one line."""
        cur = self.current
        if cur is None or cur.form or cur.n_unit_lines or not cur.text:
            return False
        i = _open_bracket_start(cur.text)
        if i is None or len(cur.text) - i + len(s) > 300 or not _ASSIGNING.search(cur.text[i:]):
            return False
        if _SECTION_RE.match(s) or _match_item(s):
            return False
        if _open_bracket_start(cur.text + s) is not None and not _ASSIGNING.search(s):
            return False  # (neither the bracket's end nor more of an assignment)
        if cur.bracket_key is None:  # the line that opened the bracket: where its units are cited
            cur.bracket_key = self.text_key if self.text_key is not None else key
        cur.text += s
        self.kind(key, "text")
        self.anomaly(key, "bracket over lines", s[:20], "the assignment in brackets goes on here: joined")
        if _open_bracket_start(cur.text) is None:
            self.item_text(cur, cur.bracket_key)
        return True

    def header_cell_line(self, key, s: str, ln: Line) -> bool:
        """Takes a line; True if it is held back as a header cell the vocabulary does not know
        (目标名称, 工作标准, 区政府 of 区政府 / 分管领导), written one per line right after a
        header line. Held cells join the header when a known header word follows them (the
        last one joined to that word when the two make a known header: 区政府分管领导 is
        ``leaders``; each other one is a column of no field, reported); else they are read
        again as ordinary lines."""
        held = self.held_header
        if not held and (self.last_kind != "header" or self.line_schema is None):
            return False
        if held and _line_header(s) is not None:
            words = _line_header(s)
            fields = [column_field(w, strict=True) for w in words]
            first = column_field(held[-1][1] + words[0])
            joined = held.pop() if first is not None and first == fields[0] else None
            for hkey, hs, _ in held:
                self.kind(hkey, "header")
                self.anomaly(hkey, "header", hs, "header cell not in the vocabulary: a column of no field")
            if joined is not None:
                self.kind(joined[0], "header")
                self.anomaly(joined[0], "header", joined[1] + words[0], "header cell over two lines, joined")
            self.held_header = []
            self.last_kind = "header"
            self.take_line_header(key, [None] * len(held) + fields, extend=True)
            return True
        if len(held) < 4 and _HEADER_CELL.match(s) and _line_header(s) is None:
            held.append((key, s, ln))
            return True
        self.replay_header_cells()
        return False

    def replay_header_cells(self):
        """Read the held-back header cells as ordinary lines (no known header word followed them)."""
        held, self.held_header = self.held_header, []
        for hkey, hs, hln in held:
            self.read_line(hkey, hs, hln)

    def chrome_line(self, key, s: str) -> bool:
        """Takes a line's key and cleaned text; True if it is page furniture (设为首页, a date …),
        kept as preamble before the plan's body and as postscript after it. A deadline after a
        measure's unit lines is not furniture."""
        if not _is_chrome(s) or (self.current is not None and self.current.n_unit_lines and _is_deadline(s)):
            return False
        if not self.started():
            self.preamble(key, s)
        else:
            self.kind(key, "postscript")
        return True

    def cells_line(self, key, s: str, ln: Line) -> bool:
        """Takes a line; True if it splits into two or more filled cells that are a header (the
        columns of the lines that follow) or a row that :meth:`row_of_cells` can read."""
        cells = _cells(s)
        if cells is None or len([c for c in cells if c]) < 2:
            return False
        labels = _line_labels(s)
        if labels and labels[0].start() == 0 and not _header_fields(cells):
            return False  # 牵头单位:区发改局|区财政局 is a labelled line (its value read there), not a row
        words = _header_fields(cells)
        if words is not None and (self.started_or_titled() or sum(1 for w in words if w) >= 3):
            self.take_line_header(key, words)
            return True
        return bool((self.started() or self.line_schema) and self.row_of_cells(key, cells, ln))

    def take_line_header(self, key, fields: list[str | None], *, extend: bool = False):
        """Start the plan's body under the header of a flattened table, its columns `fields` in order.

        With `extend`, a header line right after another adds its columns to that one's (a
        header over two lines). Returns nothing; the current measure ends."""
        self.start()
        if extend and self.last_kind == "header" and self.line_schema is not None:
            fields = self.line_schema + fields
        self.line_schema = _resolve_tasks(fields)
        self.kind(key, "header")
        self.current = None

    def title_line(self, key, s: str) -> bool:
        """Takes a line; True if it is a plan title, or the end of one broken over two lines."""
        if _is_title(s) or (
            not self.started() and self.last_kind == "preamble" and len(s) <= 20 and self._joined_title(s)
        ):
            self.title(key, s)
            return True
        return False

    def section_line(self, key, s: str) -> bool:
        """Takes a line; True if it is a section heading ``一、…`` (which starts a new section), or,
        before the plan's body, a paragraph of the notice numbered like one (a sentence inside)."""
        section = _section_heading(s)
        if section is None:
            return False
        if not self.started() and ("。" in s[:-1] or (s.endswith("。") and self.notice_points())):
            self.preamble(key, s)
            return True
        self.start()
        self.section, self.subsection, self.current = section, "", None
        self.section_ord += 1
        self.set_section_leaders(key, self.section[1])
        self.kind(key, "section")
        return True

    def item_line(self, key, s: str, ln: Line) -> bool:
        """Takes a line; True if it starts a new measure: a number alone on its line (the 序号
        cell of a table copied one cell per line), or a numbered item with its text (labels or
        a trailing parenthesis in the text read by :meth:`item_text`)."""
        if self.started_or_titled():
            number = _number_cell(s)
            if number is not None:
                self.new_item(number, "", key, "bare", line=ln.line, place=ln.place)
                self.kind(key, "item")
                return True
        it = _match_item(s)
        if not it or (it[2] == "bare" and not self.started_or_titled()):
            return False
        number, text, style = it
        if not self.started() and self.in_attachment_list() and _is_title(text):
            self.preamble(key, s)  # 附件:1. …表 / 2. …表: the notice's list of attachments
            return True
        item = self.new_item(number, text, key, style, line=ln.line, place=ln.place)
        self.kind(key, "item")
        self.item_text(item, key)
        return True

    def header_line(self, key, s: str) -> bool:
        """Takes a line; True if it is made of header words only (项 目 | 牵头单位 …): the columns
        of the lines that follow (:meth:`take_line_header`)."""
        words = _line_header(s)
        if words is None or not (self.started_or_titled() or len(words) >= 2):
            return False
        self.take_line_header(key, [column_field(w, strict=True) for w in words], extend=True)
        return True

    def bracket_line(self, key, s: str) -> bool:
        """Takes a line; True if it is an assignment in brackets standing alone on its line
        (``(责任单位:市应急局)``, ``(市应急局牵头,市公安局配合)``) after measures without units:
        its units go to the run of measures it follows, as the source sets it out (see
        :meth:`bracket_targets`); more than one measure is reported."""
        if s[:1] not in OPEN:
            return False
        paren = _trailing_paren(s)
        cur = self.current
        if paren is None or clean(paren[0]).strip("。.;；") or cur is None or cur.form or cur.n_unit_lines:
            return False
        _, content, how = paren
        targets = self.bracket_targets(cur)
        probe = _Item(cur.plan_index, None, "", "", None, "", None, "")
        if how == "labels":
            if not self.labelled(key, clean(content), probe):
                return True
        else:
            for units, r in role_clauses(content, max_chars=MAX_UNIT_CHARS):
                self.add_units(probe, r, units, key)
        for it in targets:
            it.form = "labelled" if how == "labels" else "parenthesis"
            if probe.lead:
                self.add_units(it, "lead", list(probe.lead), key)
            if probe.resp:
                self.add_units(it, "responsible", list(probe.resp), key)
            it.leaders += [n for n in probe.leaders if n not in it.leaders]
            it.deadline = it.deadline or probe.deadline
        if len(targets) > 1:
            first, last = targets[0], targets[-1]
            self.anomaly(
                key,
                "shared assignment",
                clean(s)[:40],
                f"brackets on their own line after {len(targets)} measures without units "
                f"({first.place} to {last.place}): given to each of them",
            )
        self.kind(key, "labelled")
        return True

    def bracket_targets(self, cur: _Item) -> list[_Item]:
        """The measures an assignment on its own line after `cur` belongs to: `cur` and the
        measures right before it that have no units either, numbered in the same style under
        the same heading (运城 2017: ``1.完善应急预案体系`` / ``(1)`` … ``(4)`` / ``(责任单位:…)``
        gives the four measures (1)–(4) their units; the heading ``1.`` is not one of them)."""
        out = [cur]
        for it in reversed(self.items[:-1]):
            if (
                it.lead
                or it.resp
                or it.form
                or it.plan_index != cur.plan_index
                or it.section_ord != cur.section_ord
                or it.style != cur.style
                or it.subsection != cur.subsection
            ):
                break
            out.append(it)
        return out[::-1]

    def label_line(self, key, s: str) -> bool:
        """Takes a line; True if it starts with a label (牵头单位:…), whose values go to the
        current measure (:meth:`labelled`), or are unread when there is none or it already has
        its units from elsewhere (leaders, deadlines and remarks may still follow)."""
        labels = _line_labels(s)
        if not labels or labels[0].start() != 0:
            return False
        cur = self.current
        if cur is None:
            self.unread(key, "unit label outside any measure", s)
        elif cur.form not in ("", "labelled") and not self.only_extra_labels(labels):
            self.unread(key, f"measure of line {cur.line or cur.place} already has its units ({cur.form})", s)
        else:
            if cur.form == "":
                cur.form = "labelled"
            self.kind(key, "labelled")
            self.labelled(key, s, cur)
        return True

    def loose_line(self, key, s: str, ln: Line) -> bool:
        """Takes a line; True if there is no current measure for it to follow. It is then the
        preamble (before the plan's body), a measure of a plan without numbers, or unread."""
        if self.current is not None:
            return False
        if not self.started():
            self.preamble(key, s)
        elif self.unnumbered_plan() and not _looks_like_units(s):
            self.new_unnumbered(key, s, ln)
        else:
            self.unread(key, "cannot place this line (not a title, section, item or unit list)", s)
        return True

    def set_section_leaders(self, key, title: str):
        """The leaders of the section `title` starts (``区长陈兴立牵头…`` in the title, or a
        leader label in brackets at its end: ``…工作目标(牵头领导:成坤、柯相国、王俊)``, which
        is taken out of the section's title); each is a leader of every measure of the section."""
        paren = _trailing_paren(title)
        if paren is not None and paren[2] == "labels":
            labels = _line_labels(clean(paren[1]))
            if labels and all(label_field(lm.group(1)) == "leaders" for lm in labels):
                names = _persons(clean(paren[1])[labels[0].end() :], labelled=True)
                if names:
                    self.section = (self.section[0], clean(paren[0]))
                    self.section_leaders = names
                    self.anomaly(
                        key, "leader", title, f"section led by {'、'.join(names)}: the leaders of each of its measures"
                    )
                    return
        m = _SECTION_LEADER.search(title)
        self.section_leaders = [m.group(1)] if m and _is_person(m.group(1)) else []
        if self.section_leaders:
            self.anomaly(key, "leader", title, f"section led by {m.group(1)}: the leader of each of its measures")

    def notice_points(self) -> bool:
        """Has the notice before the plan announced its own numbered points (``…通知如下:``)? Its
        paragraphs ``一、各责任单位要…。`` are then the notice's, not sections of the plan."""
        pre = self.plans[-1]["preamble"] if self.plans else self.doc_preamble
        return any(p.rstrip().endswith(("如下:", "如下：")) for _, p in pre)

    def in_attachment_list(self) -> bool:
        """Is the last line read the notice's list of attachments (``附件:1. …表``, then ``2. …表``)?"""
        pre = self.plans[-1]["preamble"] if self.plans else self.doc_preamble
        if not pre or self.last_kind != "preamble":
            return False
        last = pre[-1][1]
        return bool(_ATTACHMENTS.match(last)) or (_match_item(last) is not None and _is_title(_match_item(last)[1]))

    def started_or_titled(self) -> bool:
        return bool(self.plans)

    def only_extra_labels(self, labels) -> bool:
        """Do these labels add only leaders, deadlines or remarks (allowed after any assignment)?"""
        return all(label_field(m.group(1)) in ("leaders", "deadline", "remarks") for m in labels)

    def unnumbered_plan(self) -> bool:
        plan = len(self.plans) - 1
        return not any(i.item_no is not None for i in self.items if i.plan_index == plan)

    def unit_fields(self) -> list[str]:
        schema = self.line_schema or []
        units = [f for f in schema if f in ("lead", "responsible")]
        return units or ["lead", "responsible"]

    def cell_line(self, key, s: str, ln: Line):
        """A line after an item (its key, cleaned text and :class:`Line`): the item's text, a unit
        list, leaders, a deadline, or more text; recorded on the current measure (or as a new
        measure of a plan without numbers, or unread). Returns nothing."""
        cur = self.current
        if not cur.text and cur.n_unit_lines == 0 and not cur.form:  # after a number alone on its line
            cur.text = s
            self.kind(key, "text")
            self.item_text(cur, key)
        elif cur.form in ("labelled", "parenthesis", "table"):
            self.line_after_units(key, s, ln, cur)
        elif cur.open_list and _looks_like_units(s):
            self.continued_list(key, s, cur)
        elif not self.leaders_or_deadline(key, s, cur):
            if _looks_like_units(s):
                self.unit_line(key, s, ln, cur)
            else:
                self.text_line(key, s, ln, cur)

    def line_after_units(self, key, s: str, ln: Line, cur: _Item):
        """A line after a measure `cur` whose units came from labels, a parenthesis or a table row:
        its deadline or leaders, else a new measure of a plan without numbers, else unread."""
        if _is_deadline(s) and not cur.deadline:
            cur.deadline = s.rstrip("。")
            self.kind(key, "deadline")
            return
        names = _persons(s)
        if names and not cur.leaders:
            cur.leaders += names
            self.kind(key, "leaders")
            return
        if self.unnumbered_plan() and not _looks_like_units(s):
            self.new_unnumbered(key, s, ln)
            return
        self.unread(key, f"unlabelled line after a measure whose units are {cur.form}", s)

    def continued_list(self, key, s: str, cur: _Item):
        """A unit list continuing the one of the line before, which ended in a separator: its
        units join the same role of `cur` (still open if this line ends in a separator too)."""
        role = cur.open_list
        cur.open_list = "" if s[-1] not in SEPARATORS else role
        self.unit_value(key, s, role, cur)
        self.kind(key, role if role == "lead" else "responsible")
        self.anomaly(key, "unit list continued", s[:20], "joined to the list of the line before")

    def leaders_or_deadline(self, key, s: str, cur: _Item) -> bool:
        """Takes a line after item `cur` (units written on lines of their own); True if it names
        the item's leaders (where the header has a leader column, or there is no header) or,
        after a unit or leader line, its deadline."""
        in_schema = "leaders" in (self.line_schema or [])
        names = _persons(s, labelled=in_schema)
        if names is not None and (not cur.leaders) and (in_schema or not self.line_schema):
            cur.leaders += names
            self.kind(key, "leaders")
            return True
        if _is_deadline(s) and not cur.deadline and cur.n_unit_lines + len(cur.leaders) > 0:
            cur.deadline = s.rstrip("。")
            self.kind(key, "deadline")
            return True
        return False

    def unit_line(self, key, s: str, ln: Line, cur: _Item):
        """A unit list on a line of its own: the next unit column of the header (lead, then
        responsible, without one) for item `cur`, or unread when it has all its unit lines."""
        fields = self.unit_fields()
        if cur.n_unit_lines < len(fields):
            role = fields[cur.n_unit_lines]
            cur.form = "lines"
            units, roles, notes = split_units(s)
            self.note_units(key, notes, roles, s)
            self.add_units(cur, role, units, key, ln.place)
            cur.n_unit_lines += 1
            cur.open_list = role if s[-1] in SEPARATORS else ""
            self.kind(key, "lead" if role == "lead" else "responsible")
        elif self.unnumbered_plan():
            self.unread(key, f"unit line after the measure of {cur.place} has all its unit lines", s)
        else:
            self.unread(key, f"third unit line for the measure of line {cur.line}", s)

    def text_line(self, key, s: str, ln: Line, cur: _Item):
        """A line of text after item `cur`: more of its text while it has no unit, leader or
        deadline line yet; else a new measure of a plan without numbers, else unread. (An item
        without text yet took the line in :meth:`cell_line`.)"""
        if cur.n_unit_lines == 0 and not cur.leaders and not cur.deadline:
            self.anomaly(key, "text continuation", s[:20], f"joined to the measure of {cur.place}")
            cur.text += s
            self.kind(key, "text")
        elif self.unnumbered_plan():
            self.new_unnumbered(key, s, ln)
        else:
            self.unread(key, "cannot place this line (text after the measure's unit lines)", s)

    def new_unnumbered(self, key, s, ln):
        """A new measure of a plan without numbers, `s` its text (:meth:`item_text` reads it)."""
        it = self.new_item(None, s, key, "none", line=ln.line, place=ln.place)
        self.kind(key, "item")
        self.item_text(it, key)

    def _joined_title(self, s: str) -> bool:
        """Is `s` the end of a title broken over two lines (…任务分 / 解表)?"""
        pre = self.plans[-1]["preamble"] if self.plans else self.doc_preamble
        return bool(pre) and _is_title(pre[-1][1] + s) and not _is_chrome(pre[-1][1])

    def title(self, key, s):
        # a title broken over two lines: 立山区政府2023年重点工作 / 任务分解和责任分工方案
        pre = self.plans[-1]["preamble"] if self.plans and not self.started() else self.doc_preamble
        if (pre and self.last_kind == "preamble" and not _is_title(s) and _is_title(pre[-1][1] + s)) or (
            pre
            and not s.startswith("《")
            and self.last_kind == "preamble"
            and len(pre[-1][1]) <= 30
            and not re.search(r"[。，,：:；;、》]$|^[《(（]", pre[-1][1])
            and not _SENTENCE_PUNCT.search(pre[-1][1])
            and not _is_chrome(pre[-1][1])
            and not re.search(r"(通知|函|意见|文件|办公室|政府)$", pre[-1][1])
        ):
            prev_key, prev = pre.pop()
            self.notice_lines.pop()
            self.doc.line_kinds[(self.name, prev_key)] = "title"
            s = prev + s
            self.anomaly(key, "title", s, "title over two lines, joined")
        if self.plans and not self.started() and not self.items_in_plan():
            # a second title line before any measure (a repeated title, or main title + subtitle)
            self.plans[-1]["title"] = self.plans[-1]["title"] or s
        else:
            self.new_plan(s, key)
        self.kind(key, "title")
        if s.startswith("《") and "》" not in s:
            self.anomaly(key, "title", s, "opening 《 without closing 》")

    def items_in_plan(self) -> bool:
        return any(i.plan_index == len(self.plans) - 1 for i in self.items)

    # ---- rows of cells (tables, and lines split into cells)
    def row_of_cells(self, key, cells: list[str], ln: Line) -> bool:
        """A line split into cells: read it as a table row when its cells can be typed; False if not."""
        schema = self.line_schema
        fields: list[str | None]
        if schema and "|" in ln.text and len(cells) < len(schema):
            cells = cells + [""] * (len(schema) - len(cells))  # the last cells empty, their | left out
        if schema and len(schema) == len(cells):
            fields = list(schema)
        else:
            cells = [c for c in cells if c]
            fields = [self.guess_field(k, c, cells) for k, c in enumerate(cells)]
            if not any(f in ("lead", "responsible") for f in fields):
                return False
        fields = _resolve_tasks(fields)
        row = [Cell(c, f"{ln.place}, cell {k + 1}", "", ln.line) for k, c in enumerate(cells)]
        self.record(key, row, fields, place=ln.place)
        return True

    def guess_field(self, k: int, c: str, cells: list[str]) -> str | None:
        if k == 0 and _number_cell(c) is not None:
            return "number"
        if _is_deadline(c):
            return "deadline"
        if _persons(c):
            return "leaders"
        if _looks_like_units(c) and k > 0:
            prior = cells[:k]
            return "lead" if not any(_looks_like_units(p) for p in prior[1:]) else "responsible"
        return "text"

    def table(self, tbl: Table):
        """Read a table (a :class:`Table`); returns nothing.

        Its header row (with any title rows above it and a second header row below), else the
        columns of the table before when it has as many (a table continued on a new page), give
        the fields of the rows that follow (:meth:`body_rows`); a table with neither is not a
        plan table, and its rows are read as lines of text (:meth:`text_rows`).
        """
        rows = [list(r) for r in tbl.rows]
        header_at, fields = _find_header(rows)
        if header_at is not None:
            self.title_rows(rows[:header_at])
            fields, start = self.merged_header(rows, header_at, fields)
            self.take_header(rows[header_at], fields, tbl.place)
        elif self.schema is not None and len(rows[0]) == len(self.schema):
            fields, start = self.schema, 0
            self.first_row = True
            self.anomaly(
                _row_place(rows[0][0]), "table", tbl.place, "no header: continues the columns of the table before"
            )
        else:
            self.text_rows(rows)
            return
        self.body_rows(rows[start:], fields, tbl.place)

    def text_rows(self, rows: list[list[Cell]]):
        """The rows of a table that is not a plan table, each read as a line of text (its distinct
        cells joined by tabs, so that :meth:`line` can split it again), one per line of the cells."""
        for row in rows:
            texts = []
            for c in row:
                if c.text.strip() and (not texts or c.text != texts[-1]):
                    texts.append(c.text)
            joined = "\t".join(clean(t) for t in texts)
            for k, part in enumerate(joined.split("\n")):
                if clean(part):
                    self.line(
                        Line(part, _row_place(row[0]) + (f", line {k + 1}" if "\n" in joined else ""), row[0].line)
                    )

    def title_rows(self, rows: list[list[Cell]]):
        """The rows above a table's header (titles, a notice): each distinct cell's lines read as lines."""
        for row in rows:
            seen = []
            for c in row:
                if c.text.strip() and c.text not in seen:
                    seen.append(c.text)
            for t in seen:
                for part in t.split("\n"):
                    if clean(part):
                        self.line(Line(part, _row_place(row[0]), row[0].line))

    def merged_header(self, rows: list[list[Cell]], header_at: int, fields: list[str | None]) -> tuple[list, int]:
        """The header at row `header_at` with the header rows below it merged in (责任单位 above
        牵头单位 | 配合单位: the lower row names the columns it has). Returns ``(fields, index of
        the first body row)``, the task columns resolved (:func:`_resolve_tasks`)."""
        start = header_at + 1
        while start < len(rows):
            nxt = [column_field(c.text) if c.text.strip() else None for c in rows[start]]
            named = [(f, c) for f, c in zip(nxt, rows[start], strict=True) if c.text.strip()]
            if not (
                named
                and all(f is not None for f, _ in named)
                and all(c.key != rows[header_at][k].key for k, c in enumerate(rows[start]) if c.text.strip())
            ):
                break
            fields = [n if n is not None else f for n, f in zip(nxt, fields, strict=True)]
            self.kind(_row_place(rows[start][0]), "header")
            start += 1
        return _resolve_tasks(fields), start

    def take_header(self, header: list[Cell], fields: list[str | None], where: str):
        """Make `fields` (of the header row `header` of the table at `where`) the columns of the
        rows that follow. The same header as the table before is a repeated header (its rows
        may continue that table's last); a new one ends the current measure, and its columns
        that no field reads are reported. Returns nothing."""
        place = _row_place(header[0])
        repeated = self.schema is not None and fields == self.schema
        if repeated:
            self.repeated_header(place, where)
            self.first_row = True
        else:
            self.flush_row()
            self.kind(place, "header")
            self.current = None
        self.start()
        self.schema = fields
        if not repeated:
            for k, f in enumerate(fields):
                if f is None and header[k].text.strip():
                    self.anomaly(_row_place(header[k]), "column not read", header[k].text)

    def repeated_header(self, place: str, where: str):
        """Note the row at `place` of the table at `where` as a repeat of the header in use."""
        self.kind(place, "header")
        self.anomaly(place, "header", where, "repeated table header recognised")

    def body_rows(self, rows: list[list[Cell]], fields: list[str | None], where: str):
        """The rows under a table's header, each a measure's row (:meth:`row`) unless it repeats the header."""
        for row in rows:
            place = _row_place(row[0])
            f = _header_fields([c.text for c in row])
            if f is not None and _resolve_tasks(f) == fields:
                self.repeated_header(place, where)
                continue
            self.row(place, row, fields, place=place)

    def row(self, key, row: list[Cell], fields: list[str | None], *, place: str):
        """A table row: kept pending, or joined to the pending one when it continues it."""
        first, self.first_row = self.first_row, False
        if first and self.pending is not None and _continues(self.pending[1], row, fields):
            pkey, prow, pfields, pplace = self.pending
            merged = [
                Cell(a.text + b.text, a.place, a.origin, a.line) if clean(b.text) else a
                for a, b in zip(prow, row, strict=False)
            ]
            self.pending = (pkey, merged, pfields, pplace)
            self.kind(key, "row")
            self.anomaly(
                key, "row continued", place, f"joined to the row of {pplace} (the table continues on a new page)"
            )
            return
        self.flush_row()
        self.pending = (key, row, fields, place)

    def flush_row(self):
        if self.pending is not None:
            key, row, fields, place = self.pending
            self.pending = None
            self.record(key, row, fields, place=place)

    def record(self, key, row: list[Cell], fields: list[str | None], *, place: str):
        """One table row (its key, cells, the field of each cell and its place); returns nothing.

        A row of one merged cell (or one filled cell, no units) is a section or title row
        (:meth:`section_row`); group cells set the section; a row with the text cell of the
        current measure, or without text or number, adds to that measure (:meth:`fill_row`);
        any other row with a text is a new measure (:meth:`table_item`).
        """
        vals = _row_values(row, fields)
        filled = [c for c in row if clean(c.text)]
        if not filled:
            return
        if _is_section_row(vals, filled):
            self.section_row(key, _cell_text(filled[0]))
            return
        if vals.get("group"):
            self.group_cells(vals["group"])
        cur = self.current
        text_cells = vals.get("text", [])
        text_key = text_cells[-1].key if text_cells else ""
        if cur is not None and cur.form == "table" and text_key and text_key == cur.text_key:
            # the same merged text cell as the row before: the same measure
            self.fill_row(cur, key, vals)
            self.kind(key, "row")
        elif text_cells:
            self.table_item(key, vals)
        elif cur is not None and cur.form == "table" and not vals.get("number"):
            # a row that continues the measure above (a cell broken across a page)
            self.fill_row(cur, key, vals)
            self.kind(key, "row")
            self.anomaly(key, "row continued", place, f"joined to the measure of {cur.place}")
        else:
            self.unread(key, "table row without a measure text", " | ".join(clean(c.text) for c in filled))

    def section_row(self, key, s: str):
        """A table row that holds only `s`: a plan title (before the plan's first measure), a
        section ``一、…``, a sub-section ``(一)…``, or a section without a number. Returns nothing;
        the current measure ends."""
        if _is_title(s) and not self.items_in_plan():
            self.title(key, s)
            return
        section = _section_heading(s)
        it = _match_item(s) if section is None else None
        if section is not None:
            self.section, self.subsection = section, ""
            self.set_section_leaders(key, self.section[1])
        elif it and it[2] == "paren_cn":
            self.subsection = it[1]
        else:
            self.section, self.subsection = (None, s), ""
        self.section_ord += 1
        self.start()
        self.current = None
        self.kind(key, "section")

    def group_cells(self, cells: list[Cell]):
        """The group cells of a row (a task column before the text): the first is the section
        (``一、…``, ``(一)…``, ``1.…`` or a title without a number), the second, if any, the
        sub-section. Returns nothing."""
        g = _cell_text(cells[0])
        section = _section_heading(g)
        if section is None:
            it = _match_item(g)
            section = (it[0], it[1]) if it and it[2] in ("paren_cn", "arabic") else (None, g)
        if section != self.section:
            self.section_ord += 1
        self.section = section
        self.subsection = _cell_text(cells[1]) if len(cells) > 1 else ""

    def table_item(self, key, vals: dict[str, list[Cell]]):
        """A new measure from a table row's values by field: its text (the last text cell; a
        number written in it is the item's number unless the number cell says otherwise), its
        number cell, and the units, leaders and deadline of the row (:meth:`fill_row`)."""
        tc = vals["text"][-1]
        text = "".join(clean(p) for p in tc.text.split("\n"))
        number_cells = vals.get("number")
        number, style = self.row_number(key, number_cells[0]) if number_cells else (None, "none")
        it = _match_item(text)
        if it and (number is None or it[0] == number) and it[2] != "bare":
            number = it[0] if number is None else number
            text, style = it[1], it[2]
        item = self.new_item(number, text, key, style, line=tc.line, place=tc.place)
        item.form = "table"
        item.text_key = tc.key
        item.number_key = number_cells[0].key if number_cells else ""
        self.item_text(item, key)
        item.form = "table"
        self.fill_row(item, key, vals)
        self.kind(key, "row")

    def row_number(self, key, cell: Cell) -> tuple[int | None, str]:
        """``(number, numbering style)`` of a 序号 cell; ``(None, "none")``, and a note, if it holds no number."""
        number = _number_cell(cell.text)
        if number is None:
            self.anomaly(key, "item number", cell.text, "not a number: ignored")
            return None, "none"
        return number, _number_style(cell.text)

    def fill_row(self, it: _Item, key, vals: dict[str, list[Cell]]):
        seen = {"lead": set(it.lead), "responsible": set(it.resp)}
        for fld in ("lead", "responsible", "roles"):
            for c in vals.get(fld, []):
                value = " ".join(clean(p) for p in c.text.split("\n") if clean(p))
                value = re.sub(r"(?<=[、,，;；])\s+|\s+(?=[、,，;；])", "", value)
                if fld == "roles":
                    clauses = role_clauses(value, max_chars=MAX_UNIT_CHARS)
                    if clauses is None:
                        self.unread(key, "cannot read the roles in this cell", value)
                        continue
                    for units, r in clauses:
                        self.add_units(it, r, [u for u in units if u not in seen[r]], key, c.place, c.line)
                    continue
                before = (list(it.lead), list(it.resp))
                self.unit_value(key, _join_lines(c.text), fld, it, c.place, c.line)
                # merged unit cells repeated down the rows of one measure are named once
                if fld == "lead":
                    it.lead = before[0] + [u for u in it.lead[len(before[0]) :] if u not in seen["lead"]]
                else:
                    it.resp = before[1] + [u for u in it.resp[len(before[1]) :] if u not in seen["responsible"]]
        for c in vals.get("leaders", []):
            names = _persons(_join_lines(c.text, sep="、"), labelled=True)
            if names is None:
                self.anomaly(key, "leader", c.text, "names no person (an office or a title?): not a leader")
                continue
            it.leaders += [n for n in names if n not in it.leaders]
        for c in vals.get("deadline", []):
            d = _join_lines(c.text).rstrip("。")
            if d and d not in it.deadline.split(";"):
                it.deadline = f"{it.deadline};{d}" if it.deadline else d

    # ---- the end
    def finish(self) -> Document:
        """The document: :meth:`prepare`, then :meth:`number` from the assembler's first plan."""
        self.prepare()
        return self.number(self.first_plan)

    def prepare(self) -> None:
        """All of the end that does not depend on the plan ids: sub-headings, titles, the
        issuer, measures without units or text (a forked worker's part of the work)."""
        self.flush_row()
        self.replay_header_cells()
        doc = self.doc
        items = self.items
        self.keep = None
        if not items:
            if not doc.unread:  # what the reader noted may say why (a file that looks cut short)
                said = "; ".join(a.value for a in doc.anomalies if a.kind == "reader")
                message = "no measure found" + (f" (the reader noted: {said})" if said else "")
                doc.unread.append(Unread(self.name, "", message, "", None))
            return
        _headings(items, self)
        stem = Path(self.name).stem
        self.issuer = _issuer(self.notice_lines)
        self.titles = [
            p["title"]
            or (_notice_title(self.notice_lines) if len(self.plans) == 1 else "")
            or _preamble_title([*(self.doc_preamble if k == 0 else ()), *p["preamble"]])
            or stem
            for k, p in enumerate(self.plans)
        ]
        keep = []
        for it in items:
            if not it.lead and not it.resp:
                brackets = _closing_brackets(it.text)
                if brackets:
                    self.unread(
                        _key(it), "cannot read the assignment in the brackets at the end of the measure", brackets
                    )
                else:
                    self.unread(_key(it), "measure has neither lead nor responsible units", it.text[:40])
                continue
            if not it.text:
                self.unread(_key(it), "measure has no text", str(it.item_no))
                continue
            keep.append(it)
        self.keep = keep

    def number(self, first_plan: int) -> Document:
        """The plans (``P<first_plan>`` …) and measures with their ids, after :meth:`prepare`."""
        doc = self.doc
        if self.keep is None:
            return doc
        for k, p in enumerate(self.plans):
            preamble = tuple(self.doc_preamble if k == 0 else ()) + tuple(p["preamble"])
            key = p["key"]
            doc.plans.append(
                Plan(
                    f"P{first_plan + k}",
                    self.titles[k],
                    self.name,
                    key if isinstance(key, int) else None,
                    preamble,
                    self.issuer,
                )
            )
        doc.measures = _number(self.keep, doc.plans, self)
        return doc


def _continues(prev: list[Cell], row: list[Cell], fields: list[str | None]) -> bool:
    """Is `row`, the first of a table continued on a new page, the rest of the row `prev`?

    Yes when it has no number and its text (if any) starts no item or section, and either it
    has no text or the row before had a number (so this one, without, is not a new measure).
    """

    def cell(r, name):
        return next((clean(c.text) for c, f in zip(r, fields, strict=False) if f == name and clean(c.text)), "")

    if cell(row, "number"):
        return False
    text = cell(row, "text")
    if text and (_match_item(text) or _SECTION_RE.match(text)):
        return False
    return not text or bool(cell(prev, "number"))


def _join_lines(s: str, sep: str = "") -> str:
    """A cell's lines joined: a unit list broken after a separator joins directly."""
    parts = [clean(p) for p in s.split("\n") if clean(p)]
    out = ""
    for p in parts:
        if out and sep and out[-1] not in SEPARATORS:
            out += sep
        elif (
            out
            and out[-1] not in SEPARATORS
            and p[0] not in SEPARATORS
            and not sep
            and _looks_like_units(out)
            and _looks_like_units(p)
        ):
            out += "、"
        out += p
    return out


def _resolve_tasks(fields: list[str | None]) -> list[str | None]:
    """Among the task columns (text and group), the last is the text and the others groups."""
    tasks = [k for k, f in enumerate(fields) if f in ("text", "group")]
    if not tasks:
        return fields
    out = list(fields)
    texts = [k for k in tasks if fields[k] == "text"]
    last = texts[-1] if texts else tasks[-1]
    for k in tasks:
        out[k] = "text" if k == last else "group"
    return out


def _headings(items: list[_Item], asm: _Assembler) -> None:
    """Numbered lines that got no units and precede a deeper numbering style are sub-headings."""
    heading = None
    for i, it in enumerate(items):
        nxt = items[i + 1] if i + 1 < len(items) else None
        if (
            not it.lead
            and not it.resp
            and nxt is not None
            and nxt.plan_index == it.plan_index
            and _DEPTH.get(nxt.style, 9) > _DEPTH.get(it.style, 9)
        ):
            it.style = "heading"
            heading = it
            asm.doc.line_kinds[(asm.name, _key(it))] = "subsection"
            continue
        if heading is not None and it.plan_index == heading.plan_index and it.section_no == heading.section_no:
            it.subsection = it.subsection or heading.text
        else:
            heading = None
    items[:] = [it for it in items if it.style != "heading"]


_GOV_END = r"(?:人民政府办公室|人民政府办公厅|政府办公室|政府办公厅|人民政府|委员会办公室|委员会|办公室|办公厅|政府)"
_ORG = rf"[^\s,，。:：;；、《》“”\"]{{2,40}}?{_GOV_END}"


def _issuer(lines: list[str]) -> str:
    """The issuing government or office: the notice heading (``XX人民政府关于印发…的通知``, also
    over two lines), else the signature line before a date, else a ``XX人民政府文件`` heading."""
    lines = [clean(s) for s in lines]
    for s in lines + [a + b for a, b in pairwise(lines)]:
        m = re.match(rf"^({_ORG})\s*(?:关于|印发)", s)
        if m and "通知" in s:
            return m.group(1)
    for a, b in pairwise(lines):
        if (
            _DATE_RE.match(b)
            and len(a) <= 60
            and re.search(r"(政府|办公室|办公厅|委员会|局|委|办|厅|部|院|中心|小组)$", a)
        ):
            return a
    for s in lines:
        m = re.match(rf"^({_ORG})\s*文件$", s)
        if m:
            return m.group(1)
    return ""


def _number(items: list[_Item], plans: list[Plan], asm: _Assembler) -> list[Measure]:
    """Give each item its measure id; see the module docstring for the scheme.

    Takes the kept items (in reading order), the plans and the assembler (for its notes);
    returns the measures, plan by plan. Items of a plan with unnumbered items are numbered by
    position (:func:`_number_by_position`); an id used twice is unread.
    """
    out: list[Measure] = []
    same: dict[str, str] = {}  # the file's repeated strings, one object each (see _measure)
    by_plan: dict[int, list[_Item]] = defaultdict(list)
    for it in items:
        by_plan[it.plan_index].append(it)
    for k, plan in enumerate(plans):
        its = by_plan.get(k, [])
        _number_by_position(its, asm)
        seen: dict[str, _Item] = {}
        for it, mid in zip(its, _measure_ids(plan.plan_id, its), strict=True):
            if mid in seen:
                asm.unread(_key(it), f"duplicate item number (also at {seen[mid].place})", mid)
                asm.id_unread.append(len(asm.doc.unread) - 1)  # its value holds a plan id
                continue
            seen[mid] = it
            out.append(_measure(it, mid, plan, asm.name, asm.src.format, same))
    return out


def _number_by_position(its: list[_Item], asm: _Assembler) -> None:
    """In a plan where some item has no number, number all of its items `its` by position
    (noting each that had none); returns nothing."""
    if all(it.item_no is not None for it in its):
        return
    for pos, it in enumerate(its, start=1):
        if it.item_no is None:
            asm.anomaly(_key(it), "item number", it.text[:20], f"no number: numbered {pos} by position")
        it.item_no = pos


def _measure_ids(plan_id: str, its: list[_Item]) -> list[str]:
    """The measure id of each item `its` of plan `plan_id`, in order (repeats possible).

    ``P1-05`` when the plan's item numbers are distinct, else ``P1-<section>-05``, else (numbers
    restarting under the sub-headings of a section) ``P1-<section>.<sub-heading>-05``; measures
    that share one merged 序号 cell are parts of one numbered item: ``P1-05.1``, ``P1-05.2``.
    """
    shared = Counter(it.number_key for it in its if it.number_key)
    part: Counter = Counter()
    # one entry per numbered item (a shared merged 序号 cell counts once): are the numbers distinct?
    numbers = {it.number_key if shared[it.number_key] > 1 else f"item {k}": it.item_no for k, it in enumerate(its)}
    unique = len(set(numbers.values())) == len(numbers)
    # numbers that restart under each sub-heading of one section (运城 2017: 1. / (1)…(4), 2. / (1)…):
    # the sub-heading's place in the plan joins the id, where the section alone leaves repeats
    subs: dict[tuple[int, str], int] = {}
    for it in its:
        subs.setdefault((it.section_ord, it.subsection), len(subs) + 1)
    in_section = {
        it.number_key if shared[it.number_key] > 1 else f"item {k}": (it.section_no or it.section_ord, it.item_no)
        for k, it in enumerate(its)
    }
    by_sub = not unique and len(set(in_section.values())) < len(in_section)
    mids = []
    for it in its:
        sec = it.section_no or it.section_ord
        if unique:
            mid = f"{plan_id}-{it.item_no:02d}"
        elif by_sub and it.subsection:
            mid = f"{plan_id}-{sec}.{subs[(it.section_ord, it.subsection)]}-{it.item_no:02d}"
        else:
            mid = f"{plan_id}-{sec}-{it.item_no:02d}"
        if it.number_key and shared[it.number_key] > 1:
            part[it.number_key] += 1
            mid += f".{part[it.number_key]}"
        mids.append(mid)
    return mids


def _measure(it: _Item, mid: str, plan: Plan, source_file: str, source_format: str, same: dict[str, str]) -> Measure:
    """The :class:`Measure` of item `it`, with id `mid`, of `plan`, read from `source_file` (a `source_format` file).

    `same` maps each unit name, leader, deadline and section title met so far in the file to
    its first object, which this measure then holds too: a plan names its few dozen units
    again and again, each reading a new string, and a pickled document (a worker's, sent to
    the parent) keeps one copy of an object it holds many times. With the separate copies (and
    one plan id string per measure, see :func:`_shift_plans`) the parent's peak resident set in
    the ingest of the 3,000-file benchmark corpus was 1,485 MB; with them shared, 980 MB.
    """
    one = same.setdefault
    return Measure(
        measure_id=mid,
        plan_id=plan.plan_id,
        plan_title=plan.plan_title,
        section_no=it.section_no,
        section_title=one(it.section_title, it.section_title),
        item_no=it.item_no,
        text=it.text,
        lead_units=tuple([one(u, u) for u in it.lead]),
        responsible_units=tuple([one(u, u) for u in it.resp]),
        source_file=source_file,
        source_line=it.line,
        lead_line=it.lead_line,
        responsible_line=it.resp_line,
        subsection_title=one(it.subsection, it.subsection),
        leaders=tuple([one(u, u) for u in it.leaders]),
        deadline=one(it.deadline, it.deadline),
        issuer=plan.issuer,
        source_format=source_format,
        source_place=it.place,
        lead_place=it.lead_place,
        responsible_place=it.resp_place,
    )


# --------------------------------------------------------------------------------------------
# entry points


# C0 control characters other than tab and line feed, DEL, and the C1 range: PDF and Word exports
# carry form feeds and the like; they are removed (and reported), never part of a text or a name.
#: A pinyin reading in brackets right after a Chinese character, as some mirrors add them
#: (發(fā), 區(qū)): lower-case letters with at least one tone mark.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*)\)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _sanitize(block, asm: _Assembler):
    """`block` without control characters (each place that had some is reported) and with the
    labels and role phrases written in traditional characters respelled in simplified ones
    (:func:`~analysis.vocabulary.respell_traditional`; names and texts stay as written)."""
    if isinstance(block, Table):
        rows, changed = [], False
        for row in block.rows:
            cells = []
            for c in row:
                text = c.text
                if _CONTROL.search(text):
                    asm.anomaly(c.place, "control character", repr(text[:20]), "removed")
                    text = _CONTROL.sub("", text)
                text = respell_traditional(text)
                if text != c.text:
                    c, changed = Cell(text, c.place, c.origin, c.line), True
                cells.append(c)
            rows.append(tuple(cells))
        return Table(tuple(rows), block.place) if changed else block
    text = block.text
    if _CONTROL.search(text):
        asm.anomaly(_key(block), "control character", repr(text[:20]), "removed")
        text = _CONTROL.sub("", text)
    if "(" in text and _PINYIN.search(text):  # 經(jīng)開區(qū): a mirror's reading aid after a character
        asm.anomaly(_key(block), "pinyin gloss", " ".join(_PINYIN.findall(text))[:60], "removed")
        text = _PINYIN.sub("", text)
    text = respell_traditional(text)
    return block if text == block.text else Line(text, block.place, block.line)


def _assembled(src: Source, first_plan: int = 1) -> _Assembler:
    """The assembler after reading every block of `src` and :meth:`~_Assembler.prepare`."""
    asm = _Assembler(src, first_plan)
    for block in src.blocks:
        block = _sanitize(block, asm)
        if isinstance(block, Table):
            asm.table(block)
        else:
            asm.line(block)
    for place, note in src.notes:
        asm.anomaly(place, "reader", note)
    asm.prepare()
    return asm


def parse_source(src: Source, *, first_plan: int = 1) -> Document:
    """Assemble the measures of one read source; unread places are in ``Document.unread``.

    Control characters (form feeds and the like, which PDF and Word exports carry) are removed
    first and reported as anomalies."""
    return _assembled(src, first_plan).number(first_plan)


def _checked(doc: Document, keep_going: bool) -> Document:
    if doc.unread and not keep_going:
        raise IngestError(doc.unread)
    return doc


def parse_text(text: str, *, source: str = "<text>", first_plan: int = 1, keep_going: bool = False) -> Document:
    """Parse the text of one source file.

    Raises
    ------
    IngestError
        (a :class:`~analysis.errors.DataError`) listing every line that fits no kind, a unit
        list where none may stand, a measure with no unit at all, or a duplicate measure id.
    """
    return _checked(parse_source(read_source_text(text, name=source), first_plan=first_plan), keep_going)


def parse_file(path, *, first_plan: int = 1, name: str | None = None, keep_going: bool = False) -> Document:
    """Read and parse one source file of any supported format; `name` is its ``source_file`` label."""
    src = read_source(path, name=name)
    return _checked(parse_source(src, first_plan=first_plan), keep_going)


#: From this many bytes of plan files in all (and two files), :func:`ingest` with
#: ``processes=None`` reads them in forked worker processes: below it a fork costs more than it saves.
PARALLEL_MIN_BYTES = 1 << 20

_FORKED: list = []  # (path, label) of each file, for the forked workers; set just before the fork


def _prepared_file(i: int):
    """Read, assemble and number file `i` of :data:`_FORKED` (in a forked worker), its plans from
    P1: ``(document, places of its unread list that hold a measure id)``, or the ``(message,
    value, line)`` of the :class:`DataError` that stopped the reader."""
    path, label = _FORKED[i]
    try:
        src = read_source(path, name=label)
    except DataError as exc:
        return (exc.message, exc.value or "", exc.line)
    asm = _assembled(src)
    return asm.number(1), asm.id_unread


def _shift_plans(doc: Document, id_unread: list[int], offset: int) -> Document:
    """`doc` (one file's, plans numbered from P1) with plan k numbered P<k + `offset`> instead:
    plan and measure ids, and the unread values that hold a measure id.

    The document has just been unpickled from a worker, so nothing else holds its plans and
    measures: their ids are set in place (``object.__setattr__`` on the frozen instances, as
    dataclasses' own ``__post_init__`` recipe does) rather than by building each again.
    """
    if offset == 0:
        return doc

    def shifted(mid: str) -> str:
        pid, dash, rest = mid.partition("-")
        return f"P{int(pid[1:]) + offset}{dash}{rest}"

    new_id = {}  # one string per plan id, not one per measure (50 MB at a million measures)
    for p in doc.plans:
        new_id[p.plan_id] = shifted(p.plan_id)
        object.__setattr__(p, "plan_id", new_id[p.plan_id])
    for m in doc.measures:
        object.__setattr__(m, "plan_id", new_id.get(m.plan_id) or shifted(m.plan_id))
        object.__setattr__(m, "measure_id", shifted(m.measure_id))
    for k in id_unread:
        doc.unread[k] = replace(doc.unread[k], value=shifted(doc.unread[k].value))
    return doc


def _n_processes(processes: int | None, paths: list[Path]) -> int:
    """Worker processes for `paths`: 1 (read here) unless the platform forks and there is enough to share."""
    fork = can_fork()
    if processes is None:
        if len(paths) < 2 or not fork:
            return 1
        size = 0
        for p in paths:
            with contextlib.suppress(OSError):
                size += p.stat().st_size
        processes = usable_cpus() if size >= PARALLEL_MIN_BYTES else 1
    return max(1, min(int(processes), len(paths))) if fork else 1


def _prepared(paths: list[Path], labels: dict[Path, str], processes: int):
    """Per file, in order: its prepared assembler, or the DataError (here) / error fields (from a
    worker) that stopped its reader. Several processes: forked workers, one file at a time each."""
    if processes <= 1:
        for path in paths:
            try:
                src = read_source(path, name=labels[path])
            except DataError as exc:
                yield exc
                continue
            yield _assembled(src)
        return
    global _FORKED
    _FORKED = [(p, labels[p]) for p in paths]
    try:
        with warnings.catch_warnings():
            # Python >= 3.12 warns that forking a process with threads may deadlock; the workers
            # only read files and run Python code (no locks of those threads are taken)
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            pool = ProcessPoolExecutor(
                max_workers=processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=exit_with_parent,  # a worker dies with this process
                initargs=(os.getpid(),),
            )
            # in file order, one file per task: results arrive (and are numbered) as they are made
            futures = [pool.submit(_prepared_file, i) for i in range(len(paths))]
    finally:
        _FORKED = []  # the workers have their copy
    with pool:
        try:
            for i in range(len(paths)):
                yield futures[i].result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def ingest(
    sources, *, keep_going: bool = False, folders: dict | None = None, processes: int | None = None, progress=None
) -> Document:
    """Parse source files in the order given; plans are numbered across them.

    `sources`: a path or a list of paths; a folder stands for its plan files and those of its
    government folders (:func:`expand_sources`; a file no reader exists for is skipped with a
    warning).

    Every file is read before any error is raised, so one run lists every place of every file
    that cannot be read (:class:`IngestError`). With ``keep_going`` the measures that could be
    read are returned and the rest listed in :attr:`Document.unread`.

    Each plan and measure gets its ``jurisdiction`` (:func:`analysis.jurisdiction.assign`):
    ``folders`` maps a source path to the government its folder names, else the issuer or
    title tells.

    `processes`: worker processes that read and assemble the files (forked, on Linux; each dies
    with this process), the plans then numbered here in file order, so the document is the same
    as one process reads. ``None`` (default): one per usable CPU from
    :data:`PARALLEL_MIN_BYTES` of files on, else 1. `progress`, if given, is called after each
    file with ``(files done, files, measures so far)``.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    sources, found_in, skipped = expand_sources(sources)
    for path in skipped:
        warnings.warn(f"{path}: skipped (no reader for {path.suffix or 'files without a suffix'})", stacklevel=2)
    folders = {**found_in, **(folders or {})}
    if not sources:
        raise DataError(None, None, "no source file given")
    doc = Document()
    labels = _labels(sources)
    for p, government in folders.items():  # a pooled corpus: name the government's folder
        p = Path(p)
        if p in labels and "/" not in labels[p]:
            labels[p] = f"{government}/{labels[p]}"
    n = _n_processes(processes, sources)
    with _kept_out_of_full_collections() as keep:
        for k, (path, res) in enumerate(zip(sources, _prepared(sources, labels, n), strict=True), start=1):
            if isinstance(res, DataError):
                if not keep_going and len(sources) == 1:
                    raise res
                doc.unread.append(Unread(path.name, "file", res.message, res.value or "", res.line))
            elif isinstance(res, tuple) and len(res) == 3:
                message, value, line = res
                doc.unread.append(Unread(path.name, "file", message, value, line))
            elif isinstance(res, tuple):  # from a worker: numbered from P1
                doc.extend(_shift_plans(*res, len(doc.plans)))
            else:
                doc.extend(res.number(len(doc.plans) + 1))
            keep()
            if progress is not None:
                progress(k, len(sources), len(doc.measures))
    from .jurisdiction import assign

    folder_of = {labels[Path(p)]: g for p, g in folders.items() if Path(p) in labels}
    return _checked(assign(doc, folder_of), keep_going)


@contextlib.contextmanager
def _kept_out_of_full_collections():
    """Yields ``keep()``, to call once the objects made so far will live to the end of the
    block (a file's measures, added to the document): it hands every object tracked until then
    to the permanent generation (``gc.freeze``), so the cyclic collector's full collections
    stop walking them again and again. A million measures' objects took 7 s of full
    collections in the ingest's parent process. When the block ends the objects go back to
    the collector (unless something had frozen objects before, which is then left as it was).
    Reference counting frees them as before; only a cycle among them would wait for the end.
    """
    import gc

    was_frozen = gc.get_freeze_count() > 0
    try:
        yield gc.freeze
    finally:
        if not was_frozen:
            gc.unfreeze()


def expand_sources(sources) -> tuple[list[Path], dict[Path, str], list[Path]]:
    """``(files, folders, skipped)`` of the sources given to :func:`ingest`: files as given, a
    folder standing for its plan files (every format a reader exists for, sorted by name), the
    government of each file that lies in a government's folder, and the files of those folders
    that no reader exists for.

    A folder that holds folders of plans is a pooled corpus, one folder per government
    (``corpus/立山区/plan.docx``): each such file's ``folders`` entry is its folder's name, its
    jurisdiction (:mod:`analysis.jurisdiction`).
    """
    from . import config

    out, folders, skipped = [], {}, []
    for s in map(Path, sources):
        if s.is_dir():
            found = config.raw_sources(s)
            skipped += config.skipped_sources(s)
            for sub in sorted(p for p in s.iterdir() if p.is_dir() and not p.name.startswith(".")):
                inner = config.raw_sources(sub)
                folders.update({p: sub.name for p in inner})
                found += inner
            if not found:
                kinds = ", ".join(dict.fromkeys(FORMATS.values()))
                raise DataError(s, None, f"no plan file ({kinds}) in folder or its folders")
            out += found
        else:
            out.append(s)
    return out, folders, skipped


def _labels(paths: list[Path]) -> dict[Path, str]:
    """The ``source_file`` label of each path: its name, or as many parent folders as make it
    unique (two governments' ``附件1.docx`` become ``liuan/附件1.docx`` and ``wuhu/附件1.docx``)."""
    parts = {p: p.resolve().parts for p in paths}
    if len(set(parts.values())) < len(paths):
        seen = Counter(parts[p] for p in paths)
        dup = next(p for p in paths if seen[parts[p]] > 1)
        raise DataError(dup, None, "the same file is given twice")
    out: dict[Path, str] = {}
    depth = 1
    todo = list(paths)
    while todo:
        labels = {p: "/".join(parts[p][-depth:]) for p in todo}
        counts = Counter(labels.values()) + Counter(out.values())
        for p in list(todo):
            if counts[labels[p]] == 1 or depth >= len(parts[p]):
                out[p] = labels[p]
                todo.remove(p)
        depth += 1
    return out


def numbering_gaps(doc: Document) -> list[tuple[str, int, int, int]]:
    """Jumps in item numbering: ``(plan_id, after_item, next_item, n_missing)``."""
    nos: dict[str, list[int]] = defaultdict(list)
    for m in doc.measures:
        nos[m.plan_id].append(m.item_no)
    gaps = []
    for plan in doc.plans:
        for a, b in pairwise(nos.get(plan.plan_id, [])):
            if b > a + 1:
                gaps.append((plan.plan_id, a, b, b - a - 1))
    return gaps


def measures_frame(doc: Document):
    """One row per measure with the :data:`MEASURE_COLUMNS`."""
    import pandas as pd

    jurisdiction = {p.plan_id: p.jurisdiction for p in doc.plans}
    ms = doc.measures
    if ms:  # column by column (a dict per row costs seconds at a million measures)
        joined = {
            "lead_units_raw": "lead_units",
            "responsible_units_raw": "responsible_units",
            "leaders_raw": "leaders",
        }
        columns = {}
        for k in MEASURE_COLUMNS:
            if k == "jurisdiction":
                columns[k] = [jurisdiction.get(m.plan_id, "") for m in ms]
            elif k in joined:
                columns[k] = ["、".join(v) for v in map(attrgetter(joined[k]), ms)]
            else:
                columns[k] = list(map(attrgetter("deadline" if k == "deadline_raw" else k), ms))
        df = pd.DataFrame(columns, columns=MEASURE_COLUMNS)
    else:
        df = pd.DataFrame([], columns=MEASURE_COLUMNS)
    for col in ("section_no", "item_no", "source_line", "lead_line", "responsible_line"):
        df[col] = df[col].astype("Int64")
    return df


def plans_frame(doc: Document):
    """One row per plan: id, title, source, title line, issuer and measure count."""
    import pandas as pd

    counts = Counter(m.plan_id for m in doc.measures)
    df = pd.DataFrame(
        [
            {
                "plan_id": p.plan_id,
                "plan_title": p.plan_title,
                "source_file": p.source_file,
                "title_line": p.title_line,
                "n_measures": counts[p.plan_id],
                "n_preamble_lines": len(p.preamble),
                "issuer": p.issuer,
                "jurisdiction": p.jurisdiction,
            }
            for p in doc.plans
        ],
        columns=[
            "plan_id",
            "plan_title",
            "source_file",
            "title_line",
            "n_measures",
            "n_preamble_lines",
            "issuer",
            "jurisdiction",
        ],
    )
    df["title_line"] = df["title_line"].astype("Int64")
    return df


def preamble_frame(doc: Document):
    """The preamble lines (page chrome, cover letter, signature) of every plan."""
    import pandas as pd

    rows = [
        {"plan_id": p.plan_id, "source_file": p.source_file, "line": ln, "text": t}
        for p in doc.plans
        for ln, t in p.preamble
    ]
    return pd.DataFrame(rows, columns=["plan_id", "source_file", "line", "text"])


def sidecar_paths(measures_csv) -> dict[str, Path]:
    """Paths of the metadata written beside a measures CSV: ``<stem>.plans.csv``, ``<stem>.preamble.csv``."""
    p = Path(measures_csv)
    return {
        "plans": p.with_name(f"{p.stem}.plans.csv"),
        "preamble": p.with_name(f"{p.stem}.preamble.csv"),
    }


def _write_measures_csv(doc: Document, path) -> Path:
    """``write_csv(measures_frame(doc), path)``, written row by row from the measures.

    The same bytes (tested): pandas writes through the same ``csv`` writer, integers as digits
    and missing values as empty fields; a million measures take seconds here, not a minute.
    """
    jurisdiction = {p.plan_id: p.jurisdiction for p in doc.plans}
    # the columns read straight off a Measure, around the six joined or looked up below
    get, tail = attrgetter(*MEASURE_COLUMNS[:8]), attrgetter(*MEASURE_COLUMNS[14:])
    assert MEASURE_COLUMNS[8:14] == [
        "lead_units_raw",
        "responsible_units_raw",
        "leaders_raw",
        "deadline_raw",
        "issuer",
        "jurisdiction",
    ]
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(MEASURE_COLUMNS)
        out.writerows(
            (
                *get(m),
                "、".join(m.lead_units),
                "、".join(m.responsible_units),
                "、".join(m.leaders),
                m.deadline,
                m.issuer,
                jurisdiction.get(m.plan_id, ""),
                *tail(m),
            )
            for m in doc.measures
        )
    return path


def write_measures(doc: Document, path) -> Path:
    """Write ``measures.csv`` and its two metadata sidecars; returns the measures path."""
    path = _write_measures_csv(doc, path)
    side = sidecar_paths(path)
    write_csv(plans_frame(doc), side["plans"])
    write_csv(preamble_frame(doc), side["preamble"])
    return path
