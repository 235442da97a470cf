"""What "asks the visitor to speak" means in the kiosk tests, precisely.

A text asks to speak when it contains any of:
- 说, except in 说明 (an explanation: 说明材料): 说周岁, 一次说几件事, 换个说法, 您是说, 再说一遍, 按您说的;
- 讲, except in 讲座 (a lecture, in the list's 老年教育): 讲一下, 讲讲;
- 问我 (直接问我, 再来问我) and 告诉我 (告诉我老人的情况): the visitor cannot ask or tell a kiosk
  without a microphone;
- 听清 / 没听 (没听明白, 没有听清楚): it implies the visitor spoke.
说明, 讲座 and the service names and list texts are allowed; 听 alone is too (再听一遍, 单独听: the kiosk speaks).
"""
import re

SPEAK = re.compile(r"说(?!明)|讲(?!座)|问我|告诉我|听清|没听")


def asks_to_speak(text: str) -> list[str]:
    """The phrases of `text` that ask the visitor to speak (empty when none)."""
    return [m.group(0) for m in SPEAK.finditer(text or "")]
