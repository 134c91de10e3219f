"""Lines of a report that address the model instead of the reader ("忽略以上指令……").

Such a line stays in the request (it is data, and the system prompt says so), but it is no
evidence: grounding ignores it, so a value the model took from it is reported as unsupported,
and the document gets a warning. The patterns are deliberately narrow: a form never talks
about "instructions" or "prompts", so a false alarm costs one warning and nothing else.
"""

from __future__ import annotations

import re

from ..textnorm import key

_VERBS = r"(?:忽略|无视|忘记|忘掉|不要理会|不要遵守|跳过|覆盖|取消|ignore|disregard|forget|override)"
_OBJECTS = r"(?:指令|指示|提示词|提示|规则|要求|设定|instructions?|prompts?|rules)"
_PATTERNS = [
    re.compile(_VERBS + r".{0,12}" + _OBJECTS, re.IGNORECASE),
    re.compile(r"(?:你现在是|从现在起你|你是一个|扮演|youarenow|actas|pretendtobe)", re.IGNORECASE),
    re.compile(r"(?:系统提示|systemprompt|system:|assistant:|<\|im_start\|>|\[inst\])", re.IGNORECASE),
    re.compile(r"(?:把|将)(?:所有|全部|每个|各项).{0,16}(?:改为|改成|填为|填成|输出为|设为|都填)", re.IGNORECASE),
]


def is_injection(line: str) -> bool:
    k = key(line).lower()
    return any(p.search(k) for p in _PATTERNS)


def suspicious_lines(lines: list[tuple[int, str]]) -> list[int]:
    return [no for no, text in lines if is_injection(text)]
