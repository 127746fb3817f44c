#!/usr/bin/env python3
"""Write a deterministic synthetic content folder in lecun-site's own format.

    python benchmarks/gen_corpus.py --notes 4000 --out /tmp/corpus-4000 [--seed 1] [--force]

What it writes (all of it cross-linked, and it builds with no errors and no warnings):

- site.yaml;
- sources/: 5 sources (documentary, interview, podcast, article, video);
- people/: 150 people; person 0 (`HUB_PERSON`) is named in about a third of the notes and
  the others follow a Zipf-like law, so that renaming the hub touches many pages;
- topics/: 40 topics, some related to others;
- notes/: N pairs `note-NNNNN.zh.md` + `note-NNNNN.en.md`, about 1.5 KB each: headings,
  paragraphs, lists, blockquotes, `@/people/…`, `@/topics/…`, `@/notes/…`, `@/timeline#ev-…`
  and `@/transcripts/…#turn-N` links, `[@source]` and `[@source, turn-N]` citations, mixed
  CJK and Latin text; neutral front-matter fields are written in both files (the zh file
  names people by their Chinese alias);
- timeline/: 0–3 events per note (1.5 on average), each with `notes: [its note]` and at
  least one citation, one file per 100 notes;
- quotes/: one quote per 25 notes, listed by that note;
- transcripts/: for ~3% of the notes (every 33rd), a zh + en transcript with the note's slug:
  12–30 speaker turns with [HH:MM:SS] timestamps, in sections.

The same (--notes, --seed) always gives byte-identical files. The benchmark runner imports
`generate`, `HUB_PERSON` and `edit_note_slug` from here.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

HUB_PERSON = "marie-laurent"
NOTES_PER_TIMELINE_FILE = 100
TRANSCRIPT_EVERY = 33  # notes with index % 33 == 16 have a transcript: ~3%
QUOTE_EVERY = 25

# --------------------------------------------------------------------------- vocabulary

GIVEN = [
    ("Ada", "艾达"), ("Alan", "艾伦"), ("Anna", "安娜"), ("Boris", "鲍里斯"), ("Carla", "卡拉"),
    ("Chen", "辰"), ("David", "大卫"), ("Elena", "埃琳娜"), ("Farid", "法里德"), ("Grace", "格蕾丝"),
    ("Hugo", "雨果"), ("Ines", "伊内丝"), ("Jonas", "约纳斯"), ("Kenji", "健二"), ("Lena", "莱娜"),
    ("Marco", "马可"), ("Nadia", "娜迪亚"), ("Omar", "奥马尔"), ("Priya", "普丽娅"), ("Rafael", "拉斐尔"),
    ("Sofia", "索菲娅"), ("Tomas", "托马斯"), ("Uma", "乌玛"), ("Victor", "维克多"), ("Yuki", "由纪"),
    ("Zoe", "佐伊"),
]
FAMILY = [
    ("Abbott", "阿博特"), ("Becker", "贝克尔"), ("Castro", "卡斯特罗"), ("Dubois", "杜波依斯"),
    ("Eriksen", "埃里克森"), ("Fischer", "费舍尔"), ("Garcia", "加西亚"), ("Hoffman", "霍夫曼"),
    ("Ivanov", "伊万诺夫"), ("Jensen", "延森"), ("Kowalski", "科瓦尔斯基"), ("Lambert", "朗贝尔"),
    ("Moreau", "莫罗"), ("Novak", "诺瓦克"), ("Okafor", "奥卡福"), ("Petrov", "彼得罗夫"), ("Quinn", "奎因"),
    ("Rossi", "罗西"), ("Schmidt", "施密特"), ("Tanaka", "田中"), ("Ueda", "上田"), ("Varga", "瓦尔加"),
    ("Weber", "韦伯"), ("Xu", "徐"), ("Young", "扬"), ("Zhang", "张"),
]
ROLES = [
    ("Researcher in machine learning", "机器学习研究者"),
    ("Professor of computer science", "计算机科学教授"),
    ("Engineer at an industrial research lab", "工业研究实验室工程师"),
    ("Founder of an AI start-up", "AI 创业公司创始人"),
    ("Science journalist", "科学记者"),
    ("Neuroscientist", "神经科学家"),
    ("Physicist turned AI researcher", "转行研究 AI 的物理学家"),
    ("Research director", "研究总监"),
]
PLACES = [("Paris", "巴黎"), ("Toronto", "多伦多"), ("New York", "纽约"), ("Montreal", "蒙特利尔"),
          ("Holmdel", "霍姆德尔"), ("Zurich", "苏黎世"), ("Tokyo", "东京"), ("Beijing", "北京"),
          ("London", "伦敦"), ("Bangalore", "班加罗尔")]

TOPICS = [
    ("neural-networks", "Neural networks", "神经网络", []),
    ("backpropagation", "Backpropagation", "反向传播", ["backprop"]),
    ("cnn", "Convolutional neural networks", "卷积神经网络", ["CNN", "ConvNet", "卷积网络"]),
    ("rnn", "Recurrent neural networks", "循环神经网络", ["RNN"]),
    ("lstm", "Long short-term memory", "长短期记忆网络", ["LSTM"]),
    ("transformer", "Transformers", "Transformer 架构", ["Transformer"]),
    ("attention", "Attention", "注意力机制", []),
    ("reinforcement-learning", "Reinforcement learning", "强化学习", ["RL"]),
    ("self-supervised-learning", "Self-supervised learning", "自监督学习", ["SSL"]),
    ("unsupervised-learning", "Unsupervised learning", "无监督学习", []),
    ("energy-based-models", "Energy-based models", "基于能量的模型", ["EBM"]),
    ("world-models", "World models", "世界模型", []),
    ("computer-vision", "Computer vision", "计算机视觉", []),
    ("speech-recognition", "Speech recognition", "语音识别", []),
    ("handwriting-recognition", "Handwriting recognition", "手写识别", []),
    ("image-compression", "Image compression", "图像压缩", ["DjVu"]),
    ("gpu-computing", "GPU computing", "GPU 计算", ["GPU"]),
    ("optimization", "Optimization", "优化方法", []),
    ("gradient-descent", "Gradient descent", "梯度下降", ["SGD"]),
    ("regularization", "Regularization", "正则化", []),
    ("generative-models", "Generative models", "生成模型", []),
    ("language-models", "Language models", "语言模型", ["LLM"]),
    ("robotics", "Robotics", "机器人学", []),
    ("planning", "Planning", "规划", []),
    ("symbolic-ai", "Symbolic AI", "符号主义 AI", []),
    ("ai-winter", "The AI winter", "AI 寒冬", []),
    ("benchmarks", "Benchmarks", "基准测试", []),
    ("datasets", "Datasets", "数据集", ["MNIST"]),
    ("open-source", "Open source", "开源", []),
    ("ai-safety", "AI safety", "AI 安全", []),
    ("ai-ethics", "AI ethics", "AI 伦理", []),
    ("ai-hardware", "AI hardware", "AI 硬件", []),
    ("embodied-ai", "Embodied AI", "具身智能", []),
    ("graph-networks", "Graph neural networks", "图神经网络", ["GNN"]),
    ("meta-learning", "Meta-learning", "元学习", []),
    ("representation-learning", "Representation learning", "表征学习", []),
    ("kernel-methods", "Kernel methods", "核方法", ["SVM"]),
    ("boltzmann-machines", "Boltzmann machines", "玻尔兹曼机", []),
    ("perceptron", "The perceptron", "感知机", []),
    ("research-labs", "Research labs", "研究实验室", []),
]

SOURCES = [
    ("film-learning-machine", "documentary", "Documentary: The Learning Machine", "纪录片《学习的机器》", None),
    ("long-interview", "interview", "A long interview about forty years of research", "四十年研究长篇访谈",
     "https://www.youtube.com/watch?v=synthetic01"),
    ("lab-podcast", "podcast", "The Lab Notes podcast", "《实验室笔记》播客", "https://podcasts.example.org/lab-notes"),
    ("magazine-profile", "article", "A magazine profile of the field", "一篇关于这个领域的杂志特写", None),
    ("lecture-series", "video", "Lecture series on learning machines", "关于学习机器的系列讲座",
     "https://www.youtube.com/watch?v=synthetic02"),
]
TRANSCRIPT_SOURCES = ["long-interview", "lab-podcast", "lecture-series"]
MIN_TURNS = 12  # every transcript has at least this many turns, so `turn-1`…`turn-12` always resolve

# paired sentence templates: {P} {Q} people links, {T} topic link, {Y} year, {L} place, {C} citation
SENTENCES = [
    ("In {Y}, {P} began to work on {T} in {L}, at first with little support{C}.",
     "{Y} 年，{P}在{L}开始研究{T}，起初几乎没有人支持{C}。"),
    ("{P} and {Q} argued for years about whether {T} could scale beyond toy problems{C}.",
     "{P}和{Q}多年来一直争论{T}能否走出玩具问题{C}。"),
    ("The team trained its models on a single GPU, and {P} rewrote the code in C++ to make {T} fast enough{C}.",
     "团队只用一块 GPU 训练模型，{P}用 C++ 重写了代码，让{T}跑得足够快{C}。"),
    ("Looking back, {P} says the key idea of {T} was simple: learn the features instead of designing them by hand{C}.",
     "回头看，{P}说{T}的关键思想很简单：让机器自己学习特征，而不是靠人手工设计{C}。"),
    ("By {Y} the benchmark results had convinced most of the field, and {T} became a standard tool{C}.",
     "到了 {Y} 年，基准测试的结果说服了大多数同行，{T}成了标准工具{C}。"),
    ("{P} remembers the lab in {L} at night: whiteboards full of equations and long arguments about {T}{C}.",
     "{P}记得{L}实验室的夜晚：白板上写满公式，大家为{T}争论到深夜{C}。"),
    ("Critics such as {Q} pointed out that {T} needed far more data than anyone had at the time{C}.",
     "{Q}等批评者指出，{T}需要的数据远远超过当时任何人手里的数量{C}。"),
    ("The paper on {T} was rejected twice before {P} presented it at NIPS in {Y}{C}.",
     "关于{T}的论文被拒了两次，{P}才在 {Y} 年的 NIPS 上发表{C}。"),
    ("{P} moved to {L} in {Y} and started a small group on {T} with three students{C}.",
     "{Y} 年，{P}搬到{L}，带着三名学生组建了研究{T}的小组{C}。"),
    ("For {P}, open publication was not negotiable: code, data and results on {T} had to be shared{C}.",
     "对{P}来说，公开发表没有商量余地：关于{T}的代码、数据和结果都必须共享{C}。"),
    ("{P} compares {T} to the way a child learns by watching the world, long before it learns language{C}.",
     "{P}把{T}比作孩子观察世界的学习方式，那时孩子还远没有学会语言{C}。"),
    ("Funding for {T} dried up in the mid-1990s, and {P} turned to other problems for a while{C}.",
     "20 世纪 90 年代中期，{T}的经费枯竭，{P}一度转向别的问题{C}。"),
    ("{Q} recalls that {P} always asked the same question about {T}: what does the system actually learn{C}?",
     "{Q}回忆说，{P}对{T}总是问同一个问题：这个系统到底学到了什么{C}？"),
    ("A workshop in {L} in {Y} brought {P} and {Q} together, and {T} was the only subject at dinner{C}.",
     "{Y} 年在{L}的一次研讨会让{P}和{Q}走到一起，晚饭时大家只谈{T}{C}。"),
]
LIST_ITEMS = [
    ("{P}: {T}, first results in {Y}", "{P}：{T}，{Y} 年首次出成果"),
    ("a prototype of {T} that read handwritten digits", "一个能读手写数字的{T}原型"),
    ("{Y}: the meeting in {L} where {P} met {Q}", "{Y} 年：{P}与{Q}在{L}相识"),
    ("open-source code for {T}, first in Lua and later in Python", "{T}的开源代码，先用 Lua，后来用 Python"),
    ("a dataset of 60,000 images, small by today's standards, used for {T}", "一个六万张图片的数据集，今天看来很小，用于{T}"),
    ("{P}'s lecture notes on {T}, still read today", "{P}关于{T}的讲义，至今仍有人读"),
]
QUOTES = [
    ("The machine should learn what matters, not be told.", "机器应该自己学会什么重要，而不是被人告知。"),
    ("We were not wrong, we were early.", "我们没有错，只是来得太早。"),
    ("Every benchmark is a question someone forgot to ask.", "每个基准测试背后，都有一个被人忘了问的问题。"),
    ("Intelligence is mostly learning, and learning is mostly prediction.", "智能主要是学习，而学习主要是预测。"),
    ("Share the code, or it did not happen.", "不公开代码，就等于没做过。"),
]
HEADINGS = [("Beginnings", "起步"), ("The lab years", "实验室岁月"), ("Arguments", "争论"), ("What changed", "转折"),
            ("Looking back", "回望"), ("Open questions", "悬而未决的问题"), ("Data and hardware", "数据与硬件"),
            ("People", "人物"), ("The method", "方法"), ("Reception", "反响")]
EVENT_TITLES = [
    ("{P} presents work on {T}", "{P}发表关于{T}的工作"),
    ("{P} joins a lab in {L}", "{P}加入{L}的实验室"),
    ("A first working system for {T}", "第一个可用的{T}系统"),
    ("{P} and {Q} meet in {L}", "{P}与{Q}在{L}相识"),
    ("{T} wins a public benchmark", "{T}在公开基准测试中胜出"),
]
TURNS = [
    ("How did you first hear about {T}?", "你最早是怎么听说{T}的？"),
    ("Through a book in a library in {L}; nobody around me worked on it.", "在{L}一家图书馆里读到的，身边没有人做这个。"),
    ("What did people think of {T} at the time?", "当时大家怎么看{T}？"),
    ("Most thought it was a dead end. A few of us kept going anyway.", "大多数人觉得是死路一条，我们几个还是坚持了下来。"),
    ("What was the hardest part?", "最难的是什么？"),
    ("Getting enough data, and computers fast enough to use it.", "拿到足够的数据，还有足够快的计算机来用这些数据。"),
    ("And what would you tell a student starting today?", "你会对今天刚起步的学生说什么？"),
    ("Learn the mathematics, and do not be afraid of unfashionable ideas.", "把数学学好，不要害怕不时髦的想法。"),
    ("Was {Q} part of that work?", "{Q}也参与了那项工作吗？"),
    ("Yes, {Q} wrote most of the first simulator, in {Y}.", "是的，{Y} 年第一版模拟器大部分是{Q}写的。"),
]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def loc(en: str, zh: str) -> str:
    return "{zh: " + q(zh) + ", en: " + q(en) + "}"


# --------------------------------------------------------------------------- the records


def make_people(rng: random.Random) -> list[dict]:
    combos = [(g, f) for f in FAMILY for g in GIVEN]
    rng.shuffle(combos)
    people = [{"id": HUB_PERSON, "en": "Marie Laurent", "zh": "玛丽·洛朗", "aliases": ["Laurent", "洛朗", "玛丽·洛朗"]}]
    taken = {a.casefold() for a in people[0]["aliases"]} | {HUB_PERSON}
    for (g_en, g_zh), (f_en, f_zh) in combos:
        if len(people) == 150:
            break
        pid = f"{g_en}-{f_en}".lower()
        if pid in taken:
            continue
        zh = f"{g_zh}·{f_zh}"
        aliases = [a for a in (zh, f"{g_en[0]}. {f_en}") if a.casefold() not in taken]
        taken |= {pid} | {a.casefold() for a in aliases}
        people.append({"id": pid, "en": f"{g_en} {f_en}", "zh": zh, "aliases": aliases})
    for person in people:
        person["role"] = rng.choice(ROLES)
        person["place"] = rng.choice(PLACES)
        person["born"] = rng.randint(1925, 1990) if rng.random() < 0.6 else None
    return people


def write_person(person: dict, folder: Path) -> None:
    role_en, role_zh = person["role"]
    place_en, place_zh = person["place"]
    lines = [
        f"name: {loc(person['en'], person['zh'])}",
        "aliases: [" + ", ".join(q(a) for a in person["aliases"]) + "]",
        f"role: {loc(role_en, role_zh)}",
    ]
    if person["born"]:
        lines.append(f"born: {person['born']}")
    lines += [
        "bio:",
        "  zh: >-",
        f"    {person['zh']}长期在{place_zh}工作，研究方向横跨多个领域。本站的笔记按时间记录了{person['zh']}参与的事件、"
        "说过的话和与其他研究者的往来，每一条都注明出处。",
        "  en: >-",
        f"    {person['en']} worked for many years in {place_en}, across several fields.",
        f"    The notes on this site follow {person['en']}'s events, words and exchanges with other researchers,",
        "    each with its source.",
    ]
    _write(folder / "people" / f"{person['id']}.yaml", "\n".join(lines) + "\n")


def write_topic(index: int, rng: random.Random, folder: Path) -> None:
    tid, en, zh, aliases = TOPICS[index]
    others = [t[0] for t in TOPICS if t[0] != tid]
    related = sorted(rng.sample(others, rng.randint(0, 2)))
    lines = [
        f"name: {loc(en, zh)}",
        "aliases: [" + ", ".join(q(a) for a in aliases) + "]",
        "summary:",
        "  zh: >-",
        f"    {zh}是本站反复出现的主题。这里汇集了与{zh}有关的笔记、事件和引语，按时间排列，方便从不同人物的角度对照阅读。",
        "  en: >-",
        f"    {en} comes up again and again on this site. This page gathers the notes, events and quotes about it,",
        "    in order, so that the accounts of different people can be read side by side.",
        "related: [" + ", ".join(related) + "]",
    ]
    _write(folder / "topics" / f"{tid}.yaml", "\n".join(lines) + "\n")


def write_sources(folder: Path) -> None:
    for index, (sid, kind, en, zh, media) in enumerate(SOURCES):
        lines = [f"kind: {kind}", f"title: {loc(en, zh)}"]
        if media:
            lines += [f"url: {media}", f"media_url: {media}"]
        lines += [
            f"date: {2015 + index}-0{index + 1}",
            f"publisher: {loc('Synthetic Media', '合成媒体')}",
            "language: zh",
            f"speakers: [{HUB_PERSON}]",
            f"summary: {loc(f'A synthetic {kind} used by the benchmark corpus.', f'基准测试语料使用的合成{kind}。')}",
        ]
        _write(folder / "sources" / f"{sid}.yaml", "\n".join(lines) + "\n")


def write_site(folder: Path, notes: int) -> None:
    _write(folder / "site.yaml", "\n".join([
        f"title: {loc(f'Benchmark corpus ({notes} notes)', f'基准测试语料（{notes} 篇笔记）')}",
        f"description: {loc('A synthetic bilingual documentary-notes site for benchmarks.', '用于基准测试的合成双语纪录笔记网站。')}",
        "base_url: https://example.org/bench/",
        "languages: [zh, en]",
        "default_language: zh",
        "home_note: note-00001",
        "author: lecun-site benchmarks",
    ]) + "\n")


# --------------------------------------------------------------------------- notes


def slug_of(index: int) -> str:
    return f"note-{index:05d}"


def transcript_indices(n: int) -> list[int]:
    found = [i for i in range(1, n + 1) if i % TRANSCRIPT_EVERY == 16]
    return found or [1]  # a tiny corpus still has one transcript


def edit_note_slug(n: int) -> str:
    """The note the benchmark edits: in the middle, without a transcript of its own."""
    index = max(1, n // 2)
    while index in set(transcript_indices(n)) and index > 1:
        index -= 1
    return slug_of(index)


class Picker:
    """Draws people with a Zipf-like law (the hub more often still) and topics uniformly."""

    def __init__(self, rng: random.Random, people: list[dict]) -> None:
        self.rng = rng
        self.people = people
        self.weights = [1.0 / (k + 1) ** 0.8 for k in range(len(people))]

    def persons(self, count: int) -> list[dict]:
        chosen: dict[str, dict] = {}
        if self.rng.random() < 0.3:
            chosen[self.people[0]["id"]] = self.people[0]
        while len(chosen) < count:
            person = self.rng.choices(self.people[1:], self.weights[1:])[0]
            chosen.setdefault(person["id"], person)
        return list(chosen.values())

    def topics(self, count: int) -> list[tuple]:
        return self.rng.sample(TOPICS, count)


def citation(rng: random.Random, lang: str) -> str:
    sid = rng.choice(SOURCES)[0]
    roll = rng.random()
    if roll < 0.5:
        return f"[@{sid}]"
    if roll < 0.8 and sid in TRANSCRIPT_SOURCES:
        return f"[@{sid}, turn-{rng.randint(1, MIN_TURNS)}]"
    section = rng.choice(HEADINGS)
    return f"[@{sid}, § {section[1] if lang == 'zh' else section[0]}]"


def make_notes(rng: random.Random, n: int, people: list[dict], folder: Path) -> None:
    picker = Picker(rng, people)
    transcripts = set(transcript_indices(n))
    events_by_file: dict[int, list[str]] = {}
    quotes: list[str] = []
    for index in range(1, n + 1):
        slug = slug_of(index)
        year = 1950 + (index * 7919) % 75
        persons = picker.persons(rng.randint(2, 6))
        topics = picker.topics(rng.randint(1, 3))
        sources = sorted({rng.choice(SOURCES)[0] for _ in range(rng.randint(1, 2))})
        place = rng.choice(PLACES)

        # events: 0-3 per note, in timeline/notes-XXXXX-YYYYY.yaml
        event_ids = []
        for k in range(rng.choice((0, 1, 1, 2, 2, 3))):
            eid = f"n{index:05d}-e{k + 1}"
            event_ids.append(eid)
            ev_people = persons[: rng.randint(1, min(2, len(persons)))]
            ev_topic = topics[0]
            t_en, t_zh = rng.choice(EVENT_TITLES)
            slots = _slots(ev_people, ev_topic, year + k, place, linked=False)
            cites = []
            for sid in sorted({rng.choice(SOURCES)[0] for _ in range(rng.randint(1, 2))}):
                if sid in TRANSCRIPT_SOURCES and rng.random() < 0.5:
                    cites.append("{source: " + sid + ", at: turn-" + str(rng.randint(1, MIN_TURNS)) + "}")
                else:
                    cites.append(sid)
            entry = [
                f"- id: {eid}",
                f"  date: {year + k}" + (f"-{rng.randint(1, 12):02d}" if rng.random() < 0.5 else ""),
                f"  title: {loc(t_en.format(**slots['en']), t_zh.format(**slots['zh']))}",
            ]
            if rng.random() < 0.5:
                entry.append(f"  detail: {loc(f'One of the steps recorded in note {slug}.', f'笔记 {slug} 记录的一步。')}")
            entry += [
                "  people: [" + ", ".join(p["id"] for p in ev_people) + "]",
                f"  topics: [{ev_topic[0]}]",
                "  sources: [" + ", ".join(cites) + "]",
                f"  notes: [{slug}]",
            ]
            events_by_file.setdefault((index - 1) // NOTES_PER_TIMELINE_FILE, []).append("\n".join(entry))

        # a quote for every 25th note
        quote_ids = []
        if index % QUOTE_EVERY == 0:
            qid = f"q-{index:05d}"
            quote_ids.append(qid)
            en, zh = rng.choice(QUOTES)
            quotes.append("\n".join([
                f"- id: {qid}",
                f"  speaker: {persons[0]['id']}",
                f"  text: {loc(en, zh)}",
                "  lang: zh",
                f"  source: {sources[0]}",
                f"  topics: [{topics[0][0]}]",
            ]))

        body = _note_bodies(rng, index, n, persons, topics, year, place, event_ids, index in transcripts)
        for lang in ("zh", "en"):
            _write(folder / "notes" / f"{slug}.{lang}.md",
                   _front_matter(lang, index, year, persons, topics, sources, event_ids, quote_ids) + body[lang])
        if index in transcripts:
            write_transcript(rng, index, persons, topics, year, place, len(transcripts), folder)

    for chunk, entries in sorted(events_by_file.items()):
        first = chunk * NOTES_PER_TIMELINE_FILE + 1
        last = min(n, first + NOTES_PER_TIMELINE_FILE - 1)
        _write(folder / "timeline" / f"notes-{first:05d}-{last:05d}.yaml",
               f"# Events of notes {first}-{last} (synthetic)\n\n" + "\n\n".join(entries) + "\n")
    for start in range(0, len(quotes), 100):
        _write(folder / "quotes" / f"quotes-{start // 100 + 1:03d}.yaml", "\n\n".join(quotes[start:start + 100]) + "\n")


def _front_matter(lang, index, year, persons, topics, sources, event_ids, quote_ids) -> str:
    p_en = persons[0]["en"]
    p_zh = persons[0]["zh"]
    t_en, t_zh = topics[0][1], topics[0][2]
    if lang == "zh":
        title = f"{year} 年：{p_zh}与{t_zh}（第 {index} 篇）"
        summary = f"{p_zh}在 {year} 年前后围绕{t_zh}的工作，以及同行的反应。"
        names = [p["aliases"][0] if p["aliases"] and index % 2 else p["id"] for p in persons]
    else:
        title = f"{year}: {p_en} and {t_en.lower() if not t_en.isupper() else t_en} (note {index})"
        summary = f"What {p_en} did with {t_en.lower()} around {year}, and how colleagues responded."
        names = [p["id"] for p in persons]
    lines = [
        "---",
        f"title: {q(title)}",
        f"date: {2000 + index % 25}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        f"summary: {q(summary)}",
        "people: [" + ", ".join(q(n) if not n.isascii() else n for n in names) + "]",
        "topics: [" + ", ".join(t[0] for t in topics) + "]",
        "sources: [" + ", ".join(sources) + "]",
    ]
    if quote_ids:
        lines.append("quotes: [" + ", ".join(quote_ids) + "]")
    lines.append("---\n")
    return "\n".join(lines)


def _link(kind: str, key: str, text: str) -> str:
    return f"[{text}](@/{kind}/{key})"


def _slots(persons, topic, year, place, linked=True) -> dict:
    p = persons[0]
    qp = persons[1] if len(persons) > 1 else persons[0]
    out = {}
    for lang, col in (("en", 1), ("zh", 2)):
        def name(person, lang=lang):
            return person[lang]
        if linked:
            out[lang] = {"P": _link("people", p["id"], name(p)), "Q": _link("people", qp["id"], name(qp)),
                         "T": _link("topics", topic[0], topic[col] if lang == "zh" else topic[col].lower()
                                    if not topic[col].isupper() else topic[col]),
                         "Y": year, "L": place[0 if lang == "en" else 1], "C": ""}
        else:
            out[lang] = {"P": name(p), "Q": name(qp), "T": topic[col], "Y": year,
                         "L": place[0 if lang == "en" else 1], "C": ""}
    return out


def _note_bodies(rng, index, n, persons, topics, year, place, event_ids, with_transcript) -> dict[str, str]:
    parts: dict[str, list[str]] = {"en": [], "zh": []}

    def sentence(templates, linked=True, cite=False):
        t_en, t_zh = rng.choice(templates)
        who = rng.sample(persons, min(2, len(persons)))
        slots = _slots(who, rng.choice(topics), year + rng.randint(-3, 3), rng.choice(PLACES), linked)
        c = rng.random() < 0.6 if cite else False
        state = rng.getstate()
        for lang, template in (("en", t_en), ("zh", t_zh)):
            if c:
                rng.setstate(state)  # the same citation in both languages
                slots[lang]["C"] = (" " if lang == "en" else "") + citation(rng, lang)
        return t_en.format(**slots["en"]), t_zh.format(**slots["zh"])

    def paragraph(count):
        pairs = [sentence(SENTENCES, cite=True) for _ in range(count)]
        parts["en"].append(" ".join(p[0] for p in pairs))
        parts["zh"].append("".join(p[1] for p in pairs))

    paragraph(2)
    h1, h2 = rng.sample(HEADINGS, 2)
    parts["en"].append(f"## {h1[0]}")
    parts["zh"].append(f"## {h1[1]}")
    paragraph(2)
    items = [sentence(LIST_ITEMS, cite=False) for _ in range(3)]
    parts["en"].append("\n".join(f"- {i[0]}" for i in items))
    parts["zh"].append("\n".join(f"- {i[1]}" for i in items))
    parts["en"].append(f"## {h2[0]}")
    parts["zh"].append(f"## {h2[1]}")
    quote_en, quote_zh = rng.choice(QUOTES)
    speaker = persons[0]
    cite_state = rng.getstate()
    c_en = citation(rng, "en")
    rng.setstate(cite_state)
    c_zh = citation(rng, "zh")
    parts["en"].append(f"> {speaker['en']}: “{quote_en}” {c_en}")
    parts["zh"].append(f"> {speaker['zh']}：“{quote_zh}”{c_zh}")
    paragraph(1)

    see_en, see_zh = [], []
    other = 1 + (index * 31) % n
    if other != index:
        see_en.append(f"[note {other}](@/notes/{slug_of(other)})")
        see_zh.append(f"[第 {other} 篇笔记](@/notes/{slug_of(other)})")
    for eid in event_ids[:2]:
        see_en.append(f"[the event on the timeline](@/timeline#ev-{eid})")
        see_zh.append(f"[时间线上的事件](@/timeline#ev-{eid})")
    if with_transcript:
        turn = rng.randint(1, MIN_TURNS)
        see_en.append(f"[the transcript, turn {turn}](@/transcripts/{slug_of(index)}#turn-{turn})")
        see_zh.append(f"[访谈记录第 {turn} 轮](@/transcripts/{slug_of(index)}#turn-{turn})")
    if see_en:
        parts["en"].append("See also " + ", ".join(see_en) + ".")
        parts["zh"].append("另见" + "、".join(see_zh) + "。")
    return {lang: "\n\n".join(chunks) + "\n" for lang, chunks in parts.items()}


def write_transcript(rng, index, persons, topics, year, place, count, folder: Path) -> None:
    slug = slug_of(index)
    source = TRANSCRIPT_SOURCES[(index // TRANSCRIPT_EVERY) % len(TRANSCRIPT_SOURCES)]
    host, guest = persons[0], persons[1]
    turns = rng.randint(MIN_TURNS, 30)
    per_section = 6
    seconds = rng.randint(5, 60)
    topic = topics[0]
    body = {"en": [], "zh": []}
    for t in range(turns):
        if t % per_section == 0:
            number = t // per_section + 1
            body["en"].append(f"## Part {number}")
            body["zh"].append(f"## 第 {number} 部分")
        speaker = host if t % 2 == 0 else guest
        other = guest if t % 2 == 0 else host
        t_en, t_zh = TURNS[t % len(TURNS)]
        slots = _slots([speaker, other], topic, year, place, linked=False)
        stamp = f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}] " if t % 3 != 2 else ""
        body["en"].append(f"{stamp}**{speaker['en']}:** {t_en.format(**slots['en'])}")
        body["zh"].append(f"{stamp}**{speaker['zh']}：** {t_zh.format(**slots['zh'])}")
        if t % 4 == 3:
            body["en"].append(f"(A second paragraph of the same turn, about {topic[1].lower()}.)")
            body["zh"].append(f"（同一轮发言的第二段，谈{topic[2]}。）")
        seconds += rng.randint(20, 240)
    for lang in ("zh", "en"):
        def name(person, lang=lang):
            return person[lang]
        title = (f"{host['zh']}对话{guest['zh']}：{topic[2]}" if lang == "zh"
                 else f"{host['en']} in conversation with {guest['en']}: {topic[1].lower()}")
        summary = (f"一次关于{topic[2]}的对话（合成）。" if lang == "zh"
                   else f"A conversation about {topic[1].lower()} (synthetic).")
        front = [
            "---",
            f"title: {q(title)}",
            f"source: {source}",
            f"date: {year}",
            "speakers:",
            f"  {q(name(host))}: {host['id']}",
            f"  {q(name(guest))}: {guest['id']}",
            f"summary: {q(summary)}",
            "topics: [" + ", ".join(t[0] for t in topics) + "]",
            "---",
            "",
        ]
        _write(folder / "transcripts" / f"{slug}.{lang}.md", "\n".join(front) + "\n\n".join(body[lang]) + "\n")


# --------------------------------------------------------------------------- entry points


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def generate(notes: int, out: Path, seed: int = 1, force: bool = False) -> Path:
    """Write the corpus into `out` (which must be empty or absent, unless `force`)."""
    if notes < 1:
        raise ValueError("--notes must be at least 1")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"lecun-site-corpus:{seed}")
    people = make_people(rng)
    write_site(out, notes)
    write_sources(out)
    for person in people:
        write_person(person, out)
    for index in range(len(TOPICS)):
        write_topic(index, rng, out)
    make_notes(rng, notes, people, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic lecun-site content folder.")
    parser.add_argument("--notes", type=int, required=True, help="number of note pairs (zh + en)")
    parser.add_argument("--out", required=True, help="folder to write (must be empty or absent)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    args = parser.parse_args(argv)
    try:
        out = generate(args.notes, Path(args.out), args.seed, args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = sum(1 for p in out.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {files} files ({size / 1e6:.1f} MB) for {args.notes} notes into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
