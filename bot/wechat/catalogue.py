"""Every fixed sentence the WeChat channel says itself (the dialogue's own are in
actions/dialogue/messages.yaml). No service name or group label here: those come from the
result payload's `labels` and cards."""
from __future__ import annotations

ASK_TO_TYPE = "抱歉，没听清您的语音。请打字告诉我，或者回复选项前面的数字。"
VOICE_NOT_AVAILABLE = "不好意思，我现在还听不了语音。麻烦您打字告诉我，或者回复选项前面的数字，谢谢！"
ONLY_TEXT = "我现在只能看懂文字和语音。请打字告诉我，或者回复选项前面的数字。"
BUSY = "系统有点忙，请稍等一会儿再发一次消息。"

# the short result (≤ 600 characters) and its details
MONEY_HEAD = "{label}："  # label: labels.money
MONEY_LINE = "· {name}，{amount}"
MONEY_MORE = "· ……还有{n}项，回复1看详细"
COUNT = "{label}{n}项"  # label: labels.other / labels.possible
COUNTS_JOIN = "；"
LINK = "{label}：{url}"  # label: labels.print
LINK_MISSING = "（{label}的网页地址还没有设置，暂时发不了链接）"
ASK_DETAILS = "回复1{label}"  # label: labels.details → 回复1看详细
REST_AND_ASK = "{counts}，{ask}"  # 其他能享受的服务12项；还要确认的9项，回复1看详细
DETAILS_TITLE = "{headline}"
OFFICE_HEAD = "【{office}】"
SERVICE_LINE = "· {name}：{amounts}"
SERVICE_ONLY = "· {name}"
POSSIBLE_LINE = "· {name}：{missing_label}{missing}"
UNDECIDED = "{label}：{items}"
LIST_JOIN = "、"
AMOUNTS_JOIN = "；"
DETAILS_GONE = "刚才的结果已经过期了。请再查一次，或者回复“重新开始”。"

# what a user sends to see the details of the last result (besides the number 1 right after it)
DETAILS_WORDS = ("详细", "看详细", "详情", "看详情", "回复1看详细", "看看详细", "详细的")
