"""Normalisation: width, NFKC, whitespace inside Chinese, traditional script, offsets."""

from classifier._normalise import normalise, normalise_map


def test_full_width_latin_and_digits_fold_to_ascii_lower_case():
    assert normalise("ＣＢＤＣ与Ｅ－ＣＮＹ２０２２") == "cbdc与e-cny2022"


def test_nfkc_compatibility_forms():
    assert normalise("㈱ﬁ") == "(株)fi"


def test_whitespace_between_chinese_characters_is_dropped_but_not_between_words():
    assert normalise("数字 人民币\n试点") == "数字人民币试点"
    assert normalise("e-CNY wallet 数字\u3000人民币") == "e-cny wallet 数字人民币"


def test_zero_width_characters_vanish():
    assert normalise("数\u200b字人民币") == "数字人民币"


def test_traditional_script_becomes_simplified():
    assert normalise("數字人民幣試點與綠色金融、碳交易") == "数字人民币试点与绿色金融、碳交易"
    assert normalise("城市副中心開展法定數字貨幣試點") == "城市副中心开展法定数字货币试点"


def test_offset_map_points_back_into_original_text():
    raw = "Ａ 数字 人民币"
    norm, index = normalise_map(raw)
    assert norm == "a 数字人民币"
    assert index is not None
    start = norm.index("数字人民币")
    end = start + len("数字人民币")
    assert raw[index[start] : index[end - 1] + 1] == "数字 人民币"


def test_clean_simplified_text_needs_no_offset_map():
    norm, index = normalise_map("积极推进城市副中心开展法定数字货币试点，探索建设数字资产交易场所。")
    assert index is None
    assert norm.startswith("积极推进")


def test_astral_characters_keep_offsets_aligned():
    raw = "𠀀数字人民币"
    norm, index = normalise_map(raw)
    pos = norm.index("数")
    assert raw[index[pos] if index is not None else pos] == "数"
