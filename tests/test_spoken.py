"""Sentence pinyin as a teacher writes it under the line: one row per rule (README, "What a card shows")."""

from __future__ import annotations

import pytest

from deckgen.memo import Recent
from deckgen.sentences import Example
from deckgen.spoken import sentence_pinyin

# (label, sentence, expected pinyin); the sentence carries no annotations unless the row says so.
RULES = [
    ("地 particle after a reduplicated adverb", "她慢慢地走。", "tā mànmàn de zǒu."),
    ("地 noun inside a phrase", "军地小学。", "jūn dì xiǎoxué."),
    (
        "地 particle after a word jieba tags badly (开心 v, 大声 m)",
        "她开心地笑，大声地说。",
        "tā kāixīn de xiào, dàshēng de shuō.",
    ),
    ("地 particle before a preposition", "孩子们愉快地在公园里玩。", "háizimen yúkuài de zài gōngyuán lǐ wán."),
    ("地 the land after a measure word or 的", "这块地很大，我的地很小。", "zhèkuài dì hěndà, wǒ de dì hěnxiǎo."),
    ("地 the ground before an adverb, opening a clause", "下雨了，地很滑。", "xiàyǔ le, dì hěn huá."),
    ("地 particle after a repeated word", "她一步一步地往前走。", "tā yíbù yíbù de wǎngqián zǒu."),
    ("地 particle after an AABB word jieba tags a place", "他高高兴兴地回家了。", "tā gāogāoxìngxìng de huíjiā le."),
    ("地 particle after a repeated word, a name tag after", "他一天一天地长大。", "tā yìtiān yìtiān de zhǎngdà."),
    ("不是 is bú shì, not the noun bú shi", "这不是我的书。", "zhè búshì wǒ de shū."),
    ("得 after a verb", "你跑得很快。", "nǐ pǎo de hěnkuài."),
    ("得 dé as a verb", "他得了第一名。", "tā dé le dìyī míng."),
    ("着 after a verb", "门口挂着一口钟。", "ménkǒu guà zhe yìkǒu zhōng."),
    ("了 after a verb", "他走了。", "tā zǒu le."),
    ("过 after a verb", "我去过那里。", "wǒ qùguo nàli."),
    ("过 as a verb", "过马路要小心。", "guò mǎlù yào xiǎoxīn."),
    ("还 adverb", "他还没有来。", "tā hái méiyǒu lái."),
    ("还 verb with an object", "我去图书馆还书。", "wǒ qù túshūguǎn huán shū."),
    ("以…为 reads wéi", "学校以学生为中心。", "xuéxiào yǐ xuésheng wéi zhōngxīn."),
    ("为 alone reads wèi", "为人民服务。", "wèi rénmín fúwù."),
    ("neutral tone of CC-CEDICT: 朋友", "他是我的朋友。", "tā shì wǒ de péngyou."),
    ("neutral tone of CC-CEDICT: 时候", "那个时候。", "nàge shíhou."),
    ("neutral tone of CC-CEDICT: 奶奶", "奶奶来了。", "nǎinai lái le."),
    ("不 before tone 4", "不要紧。", "búyàojǐn."),
    ("不 before other tones", "不好。", "bùhǎo."),
    ("一 before tone 4", "一个人。", "yígè rén."),
    ("一 before tone 1", "一天。", "yìtiān."),
    ("一 in numbers keeps yī", "第一，十一，一月。", "dìyī, shíyī, yīyuè."),
    (
        "一 before 百, 千, 万 changes, inside a number it does not",
        "一共一百一十一个人，跑了一千五百米，一万元。",
        "yígòng yìbǎiyīshí yīgè rén, pǎo le yìqiānwǔbǎi mǐ, yíwàn yuán.",
    ),
    ("quotes stay attached", "他说：“好！”", "tā shuō: “hǎo!”"),
    ("book title marks become quotes", "看《红楼梦》。", "kàn “Hónglóumèng”."),
    ("traditional text is segmented as words", "學習漢字。", "xuéxí hànzì."),
    (
        "traditional text is read by the same rules",
        "他還沒有把書還給我，時間太長了。",
        "tā hái méiyǒu bǎ shū huángěi wǒ, shíjiān tài cháng le.",
    ),
    ("traditional 著 and 過 after a verb", "他看著我，我去過那裡。", "tā kàn zhe wǒ, wǒ qùguo nàli."),
    ("traditional 著 of a writer stays zhù", "這本書是他著的。", "zhè běnshū shì tā zhù de."),
    ("长 long after an adverb", "时间太长了。", "shíjiān tài cháng le."),
    ("长 long before a measure", "这条河长五百米。", "zhè tiáo hé cháng wǔbǎi mǐ."),
    ("长 grows before a complement", "他长高了。", "tā zhǎng gāo le."),
    (
        "a character alone reads as it does alone, not as in its words",
        "她会弹琴，衣服太脏了。",
        "tā huì tánqín, yīfu tài zāng le.",
    ),
    ("教 teaches someone", "老师教我们唱歌。", "lǎoshī jiāo wǒmen chànggē."),
    ("得 must before an adverb", "你得马上走。", "nǐ děi mǎshàng zǒu."),
    ("得 before a degree, after a word jieba tags an adverb", "我们相处得很好。", "wǒmen xiāngchǔ de hěn hǎo."),
    (
        "a surname before a title reads as CC-CEDICT's surname line",
        "曾先生曾经是单老师的学生。",
        "Zēng xiānsheng céngjīng shì Shàn lǎoshī de xuésheng.",
    ),
    ("冲 towards someone, 冲 to pour", "他冲我笑了笑，我去冲咖啡。", "tā chòng wǒ xiào le xiào, wǒ qù chōng kāfēi."),
    ("空 free time after 有 or 没有", "我没有空。", "wǒ méiyǒu kòng."),
    ("觉 a sleep alone, 觉得 as a word", "我睡了一觉，觉得很好。", "wǒ shuì le yí jiào, juéde hěn hǎo."),
    ("种 plants before an aspect particle", "我们种了很多树。", "wǒmen zhòng le hěnduō shù."),
    ("数 counts before 了 and an object", "他数了数钱。", "tā shǔ le shǔ qián."),
    ("干 dry after an adverb of degree", "天气很干，你干什么呢？", "tiānqì hěn gān, nǐ gànshénme ne?"),
    ("着 zháo in a word CC-CEDICT reads so", "我找不着钥匙，睡不着。", "wǒ zhǎobuzháo yàoshi, shuì bùzháo."),
    ("a verb and its 着 stay zhe", "他引着我们走。", "tā yǐnzhe wǒmen zǒu."),
    ("子 zǐ where CC-CEDICT gives it a tone", "中子星很亮。", "zhōngzǐxīng hěn liàng."),
    ("教 in a shortened compound", "推动产教融合。", "tuīdòng chǎn jiào rónghé."),
    ("长 grows before an aspect particle", "他长了一岁。", "tā zhǎng le yísuì."),
    ("erhua 儿 joins its syllable", "今天上课差点儿迟到。", "jīntiān shàngkè chàdiǎnr chídào."),
    ("erhua after 一 sandhi", "他有一点儿累。", "tā yǒu yìdiǎnr lèi."),
    ("儿 of a word keeps ér", "她女儿很可爱。", "tā nǚ'ér hěn kě'ài."),
    ("V一V: neutral yi, the verb twice", "你看一看这本书。", "nǐ kànyikàn zhè běnshū."),
    ("V一V takes the verb reading of a polyphone", "请你数一数椅子。", "qǐng nǐ shǔ yi shǔ yǐzi."),
    ("一X一X is not V一V", "他一天一天长大了。", "tā yìtiān yìtiān zhǎngdà le."),
    (
        "一 and 不 again and again",
        "第一名不太高兴，十一点一刻走了。",
        "dìyī míng bú tài gāoxìng, shíyī diǎn yíkè zǒu le.",
    ),
    (
        "V一V beside 不 twice",
        "我想一想，不对不对，一下子就明白了。",
        "wǒ xiǎng yi xiǎng, bú duì bú duì, yíxiàzi jiù míngbai le.",
    ),
    ("一口一个, 不 before a noun", "一个不错的主意，一口一个不字。", "yígè búcuò de zhǔyi, yìkǒu yígè bú zì."),
    (
        "a jieba word CC-CEDICT lacks is spaced as its words",
        "昨天晚上他七十多岁了。",
        "zuótiān wǎnshang tā qīshí duō suì le.",
    ),
    ("为 wéi before 人 alone", "他为人很好。", "tā wéi rén hěn hǎo."),
    (
        "the everyday sense of a word CC-CEDICT reads two ways",
        "老师告诉我们一个故事，他的妻子是大夫。",
        "lǎoshī gàosu wǒmen yígè gùshi, tā de qīzi shì dàifu.",
    ),
    ("东西 a thing", "我去超市买东西，这是什么东西？", "wǒ qù chāoshì mǎi dōngxi, zhè shì shénme dōngxi?"),
    ("东西 east and west with a length or a direction", "这条路是东西走向的。", "zhè tiáo lù shì dōngxī zǒuxiàng de."),
    ("多少 how many", "一共有多少人？", "yígòng yǒu duōshao rén?"),
    ("多少 more or less before a verb", "他多少有点累。", "tā duōshǎo yǒudiǎn lèi."),
    ("地方 a place", "我们去一个好地方。", "wǒmen qù yígè hǎo dìfang."),
    ("地方 local before a noun", "地方政府出台了新政策。", "dìfāng zhèngfǔ chūtái le xīn zhèngcè."),
    ("地方 beside the centre", "中央和地方要配合。", "zhōngyāng hé dìfāng yào pèihé."),
    ("精神 and 大意 after an adverb of degree", "他很精神，你太大意了。", "tā hěn jīngshen, nǐ tài dàyi le."),
    ("大意 the main idea", "文章的大意是什么？", "wénzhāng de dàyì shì shénme?"),
    ("地道 authentic before 的", "他说一口地道的北京话。", "tā shuō yìkǒu dìdao de Běijīng huà."),
    ("地道 a tunnel after its measure", "这是一条地道的出口。", "zhè shì yìtiáo dìdào de chūkǒu."),
    ("长长了 has grown long", "孩子的头发长长了。", "háizi de tóufa zhǎngcháng le."),
    (
        "只 the measure word after a demonstrative",
        "这只狗很可爱，每只羊都很白。",
        "zhè zhī gǒu hěn kě'ài, měi zhī yáng dōu hěn bái.",
    ),
    ("只 the measure word inside a number word", "三只猫和两只手。", "sānzhī māo hé liǎng zhī shǒu."),
    ("只 the measure word after 有, before a noun", "他家有只猫。", "tājiā yǒu zhī māo."),
    ("只 only before a verb, even after 这", "我只想睡觉，这只会更糟。", "wǒ zhǐ xiǎng shuìjiào, zhè zhǐ huì gèngzāo."),
    ("只 the measure word in traditional characters", "這隻狗很可愛。", "zhè zhī gǒu hěn kě'ài."),
    (
        "调 to adjust before its result",
        "把空调调低，把声音调大一点。",
        "bǎ kōngtiáo tiáodī, bǎ shēngyīn tiáo dà yìdiǎn.",
    ),
    ("调 to transfer keeps diào", "他被调到北京工作。", "tā bèi diào dào Běijīng gōngzuò."),
    (
        "一 in a date or a number keeps yī",
        "今天是五月一号，明天是一月一日。",
        "jīntiān shì wǔyuè yīhào, míngtiān shì yīyuè yīrì.",
    ),
    ("一 the first grade, 一日 one day", "他一年级的时候一日三餐。", "tā yī niánjí de shíhou yírìsāncān."),
    ("不 unstressed in an A-not-A question", "你去不去？你喜不喜欢这个？", "nǐ qù bu qù? nǐ xǐ bu xǐhuan zhège?"),
    (
        "不 keeps its tone outside an A-not-A question",
        "他在大学不学习，一动不动。",
        "tā zài dàxué bù xuéxí, yídòngbúdòng.",
    ),
    ("不了 after a verb, 量 to measure", "我做不了，你量一下体温。", "wǒ zuò buliǎo, nǐ liáng yíxià tǐwēn."),
    ("量 the amount", "这个量太大了。", "zhège liàng tài dà le."),
    ("着 zháo before 了, 削 alone", "我找着了，他在削苹果。", "wǒ zhǎo zháo le, tā zài xiāo píngguǒ."),
    ("挣 alone and in 挣扎", "他挣了很多钱，还在挣扎。", "tā zhèng le hěnduō qián, hái zài zhēngzhá."),
    ("背 carries on the back", "他背着书包，妈妈背起孩子。", "tā bēizhe shūbāo, māma bēi qǐ háizi."),
    ("背 recites, 背着手", "他在背课文，背着手走路。", "tā zài bèi kèwén, bèizheshǒu zǒulù."),
    (
        "得 must before 好好, erhua as CC-CEDICT joins it",
        "我们得好好儿想一想。",
        "wǒmen děi hǎohāor xiǎng yi xiǎng.",
    ),
    ("a lone 儿 joins the word before it", "他喜欢画画儿，慢慢儿走。", "tā xǐhuan huàhuàr, mànmànr zǒu."),
    ("儿 a son, 女儿 a daughter", "他有一儿一女，女儿很可爱。", "tā yǒu yì ér yì nǚ, nǚ'ér hěn kě'ài."),
    (
        "a direction after a verb, unstressed",
        "他拿出来一本书，跑过去了。",
        "tā ná chūlai yì běnshū, pǎo guòqu le.",
    ),
    ("a direction after jieba's verb and direction", "他们走进来了。", "tāmen zǒujìn lai le."),
    (
        "a direction as the main verb keeps its tones",
        "我想出去，他过去是老师。",
        "wǒ xiǎng chūqù, tā guòqù shì lǎoshī.",
    ),
    (
        "行 háng for a trade, xíng for a party",
        "他在这一行干了二十年，那一行人走了。",
        "tā zài zhè yìháng gàn le èrshí nián, nà yìxíng rén zǒu le.",
    ),
    (
        "一號 and 找著了 in traditional characters",
        "今天是五月一號，我找著了。",
        "jīntiān shì wǔyuè yīhào, wǒ zhǎo zháo le.",
    ),
    ("a solar term's name as the weather it names", "昨天下了一场大雪。", "zuótiān xià le yìcháng dàxuě."),
    (
        "场 chǎng for a showing, 行 háng for a line",
        "我们看了一场电影，他写了一行字。",
        "wǒmen kàn le yìchǎng diànyǐng, tā xiě le yìháng zì.",
    ),
    ("proper nouns capitalised as in CC-CEDICT", "中国的长城很长。", "Zhōngguó de Chángchéng hěn cháng."),
    ("book titles that CC-CEDICT lists as names", "看《西游记》。", "kàn “Xīyóujì”."),
    ("们 joins its noun", "志愿者们来了。", "zhìyuànzhěmen lái le."),
    ("们 makes nouns plural", "老师们和同学们都来了。", "lǎoshīmen hé tóngxuémen dōu lái le."),
    ("a number apart from what it counts", "走路只要十分钟。", "zǒulù zhǐyào shí fēnzhōng."),
    (
        "几 counts as a number",
        "我们等了几十分钟，几分钟就到了。",
        "wǒmen děng le jǐshí fēnzhōng, jǐ fēnzhōng jiù dào le.",
    ),
    ("a number jieba cut in two", "他考了九十分。", "tā kǎo le jiǔshí fēn."),
    ("a word CC-CEDICT lacks, as the words met most often", "她在洗衣服。", "tā zài xǐ yīfu."),
    ("有名气 is 有 and 名气", "他很有名气。", "tā hěn yǒu míngqì."),
    ("小伙伴 is 小 and 伙伴", "一个小伙伴跑过来。", "yígè xiǎo huǒbàn pǎo guòlai."),
    ("a place name keeps its longest first word", "我们住在中山路。", "wǒmen zhù zài Zhōngshān lù."),
    ("AABB as its word AB", "她打扮得漂漂亮亮的。", "tā dǎban de piàopiàoliàngliàng de."),
    ("AABB says a neutral tone in full", "他把话说得清清楚楚。", "tā bǎ huà shuō de qīngqīngchǔchǔ."),
    ("a word and the r of its erhua", "他的冲劲儿很大。", "tā de chòngjìnr hěndà."),
    ("山上 and 山下 are places, not names", "山上很冷，山下很热。", "shānshàng hěn lěng, shānxià hěn rè."),
    (
        "a surname before a title, and after 小 or 老",
        "王老师和小李、老王都来了。",
        "Wáng lǎoshī hé Xiǎo Lǐ, Lǎo Wáng dōu lái le.",
    ),
    (
        "和 and 连 before a title are not surnames",
        "我和老师一起去，连老师都不知道。",
        "wǒ hé lǎoshī yìqǐ qù, lián lǎoshī dōu bù zhīdào.",
    ),
    ("小马 is a pony, 一小张 a small sheet", "小马吃了一小张纸。", "xiǎomǎ chī le yì xiǎozhāng zhǐ."),
]

# Known gaps: a suffix jieba cuts off is written apart; rows stay here until they pass (strict xfail).
GAPS = [
    ("绘本 is one word", "儿童绘本区。", "értóng huìběn qū."),
]


@pytest.mark.parametrize(("label", "sentence", "expected"), GAPS, ids=[r[0] for r in GAPS])
@pytest.mark.xfail(strict=True, reason="known gap in word grouping; the syllables themselves are right")
def test_sentence_pinyin_gap(label: str, sentence: str, expected: str) -> None:
    assert sentence_pinyin(Example("", sentence[0], sentence[1:])) == expected


@pytest.mark.parametrize(("label", "sentence", "expected"), RULES, ids=[r[0] for r in RULES])
def test_sentence_pinyin_rule(label: str, sentence: str, expected: str) -> None:
    assert sentence_pinyin(Example("", sentence[0], sentence[1:])) == expected


def test_the_annotators_reading_wins() -> None:
    example = Example("", "长", "大了。", readings=((0, ("zhǎng",)),))
    assert sentence_pinyin(example) == "zhǎng dà le."


def test_a_direction_after_a_verb_the_annotator_read() -> None:
    """盛(chéng)出来: the direction after an annotated verb is unstressed as after any verb; after an annotated noun,
    出来 is the verb itself."""
    after_verb = Example("鸡蛋炒熟了就", "盛", "出来，放在盘子里。", readings=((6, ("chéng",)),))
    assert "chéng chūlai," in sentence_pinyin(after_verb)
    after_noun = Example("他从", "银行", "出来了。", readings=((2, ("yín", "háng")),))
    assert sentence_pinyin(after_noun) == "tā cóng yínháng chūlái le."


def test_the_articles_annotation_elsewhere_wins() -> None:
    """家门口 annotated once reads jiāménkǒu where the sentence uses it unannotated."""
    example = Example("在", "家门口", "就业，在家门口创业。", readings=((1, ("jiā", "mén", "kǒu")),))
    assert sentence_pinyin(example, {"家门口": ("jiā", "mén", "kǒu")}) == (
        "zài jiāménkǒu jiùyè, zài jiāménkǒu chuàngyè."
    )


def test_spoken_sandhi_of_the_annotation_is_kept() -> None:
    example = Example("", "一样", "高。", readings=((0, ("yí", "yàng")),))
    assert sentence_pinyin(example) == "yíyàng gāo."


def test_entries_prepared_together_enrich_as_each_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """prepare() reads a batch's sentences stage by stage; enrich() then finds them read, and says the same."""
    from deckgen import script, spoken
    from deckgen.enrich import enrich, group, prepare
    from deckgen.mine import mine_lines

    from .conftest import EXAMPLE

    lines = enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1)
    entries = group(mine_lines(lines).occurrences)
    assert len(entries) > 10
    readings = {e.hanzi: e.syllables for e in entries}
    alone = [enrich(entry, spoken.Annotated(readings)) for entry in entries]
    monkeypatch.setattr(script, "_SENTENCES", Recent(4096))
    index = spoken.Annotated(readings)
    prepare(entries, index)
    assert set(index.said) == {(e.examples[0].text, e.examples[0].readings) for e in entries if e.examples}
    # Converted ahead: exactly the sentences of the words whose dictionary entry may depend on the form in context.
    from deckgen.senses import lookup_any_form

    firsts = {e.examples[0].text for e in entries if e.examples and not e.traditional}
    needed = {
        e.examples[0].text
        for e in entries
        if e.examples and not e.traditional and lookup_any_form(e.hanzi, e.pinyin, e.syllables) is None
    }
    assert set(script._SENTENCES) == needed and 0 < len(needed) < len(firsts)
    read: list[object] = []
    monkeypatch.setattr(spoken, "_read_aloud", lambda *args: read.append(args) or "")
    monkeypatch.setattr(script, "traditional_of", lambda text: read.append(text) or text)
    assert [enrich(entry, index) for entry in entries] == alone
    assert read == []  # every sentence was read aloud and converted ahead


def test_a_batch_read_ahead_stays_whole_when_the_memo_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentences kept are bounded, and a batch prepared ahead is never half forgotten before it is used."""
    from deckgen import script, spoken
    from deckgen.enrich import Entry, prepare

    monkeypatch.setattr(spoken, "_SENTENCES_KEPT", 8)
    monkeypatch.setattr(script, "_SENTENCES", Recent(8))
    index = spoken.Annotated({})
    batches = [
        [Entry("干", ("gàn",), (Example(f"第{b}{n}次", "干", "活了。"),), ()) for n in range(5)]  # 幹 in context
        for b in range(3)
    ]
    for batch in batches:
        prepare(batch, index)
        texts = {entry.examples[0].text for entry in batch}
        assert texts <= {text for text, _ in index.said} and texts <= set(script._SENTENCES)
        assert len(index.said) <= 8 and len(script._SENTENCES) <= 8


def test_di_before_an_annotated_verb_is_the_particle() -> None:
    """An annotated word has no tag of jieba's in the sentence: its tag as a word alone says it is a verb."""
    example = Example("妹妹高兴地", "跨", "上“马”。", readings=((5, ("kuà",)),))
    assert sentence_pinyin(example, {"跨": ("kuà",)}) == "mèimei gāoxìng de kuà shàng “mǎ”."


def test_everyday_readings_are_cedict_lines() -> None:
    """Each reading :data:`deckgen.spoken._EVERYDAY` prefers is one of the word's own CC-CEDICT lines."""
    from deckgen.dictionary import rows
    from deckgen.senses import marked_syllables
    from deckgen.spoken import _EVERYDAY

    for word, reading in _EVERYDAY.items():
        lines = [tuple(s.lower() for s in marked_syllables(row.syllables)) for row in rows(word)]
        assert reading in lines, word
        assert len(set(lines)) > 1, f"{word}: CC-CEDICT reads it one way only"


def test_surname_readings_are_cedict_surname_lines() -> None:
    """Each reading :data:`deckgen.spoken._SURNAMES` gives is the character's own CC-CEDICT "surname" line."""
    from deckgen.dictionary import rows
    from deckgen.senses import marked_syllables
    from deckgen.spoken import _SURNAMES

    for char, reading in _SURNAMES.items():
        surnames = {
            marked_syllables(r.syllables)[0] for r in rows(char) if any(s.startswith("surname") for s in r.senses)
        }
        assert surnames == {reading}, char


def test_common_surnames_read_as_their_cedict_surname_line() -> None:
    """Each of :data:`deckgen.spoken._FAMILY_NAMES` has a CC-CEDICT "surname" line, read as the character reads
    alone (the surnames read otherwise, 曾 Zēng, 单 Shàn, are :data:`deckgen.spoken._SURNAMES`)."""
    from deckgen.dictionary import rows
    from deckgen.senses import marked_syllables
    from deckgen.spoken import _FAMILY_NAMES, _SURNAMES, _word_reading

    assert _FAMILY_NAMES.isdisjoint(_SURNAMES)
    for char in _FAMILY_NAMES:
        surnames = {
            marked_syllables(r.syllables)[0].lower()
            for r in rows(char)
            if any(s.startswith("surname") for s in r.senses)
        }
        assert _word_reading(char, False)[0] in surnames, char


def test_within_word_readings_agree_with_cedict() -> None:
    """Every CC-CEDICT word the within-word rules touch reads as they do: 只 after a number zhī (三只手, 脚踏两只船),
    调 before a result tiáo (调准)."""
    import re

    from deckgen.dictcache import default_store
    from deckgen.dictionary import rows
    from deckgen.spoken import _ADJUSTED, _COUNTED

    counted = re.compile(f"[{''.join(_COUNTED)}]只")
    found = 0
    for word in default_store().headwords():
        for row in rows(word) if word[:1] == "调" and word[1:2] in _ADJUSTED else ():
            found += 1
            assert row.syllables[0].lower() == "tiao2", word
        for match in counted.finditer(word):
            for row in rows(word):
                found += 1
                assert row.syllables[match.start() + 1].lower() == "zhi1", word
    assert found >= 5  # 三只手, 脚踏两只船, 调准, …
