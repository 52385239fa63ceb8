"""Pinyin initials of Chinese names, for search by 拼音首字母 (张三丰 → zsf)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, pinyin


@lru_cache(maxsize=20000)
def _initial(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    # heteronym=False: the common reading; surnames with rare readings (单 shan) are rare enough
    # that search by the full name still finds them.
    letters = pinyin(char, style=Style.FIRST_LETTER, strict=False, errors="ignore")
    return letters[0][0].lower() if letters and letters[0] else ""


def initials(name: str) -> str:
    return "".join(_initial(c) for c in name)[:20]
