"""The screening dialogue as a user meets it: what it asks, what it remembers, what it answers."""
from __future__ import annotations
from pathlib import Path


def finish(chat, answers: dict[str, str], limit: int = 15):
    """Answer each question by tapping the button given for the asked fact, until the result."""
    for _ in range(limit):
        if chat.result():
            return chat.result()
        asked = chat.asked
        assert asked in answers, f"unexpected question {asked!r}: {chat.text}"
        chat.tap(answers[asked])
    raise AssertionError("no result after %d questions" % limit)


def test_multi_fact_first_message_is_remembered_and_not_asked_again(chat):
    chat.say("俺娘八十三了，吃低保，瘫在床上好几年了")
    assert chat.slots["age"] == 83
    assert chat.slots["economic_status"] == "minimum_living"
    assert chat.slots["self_care"] == "dependent"
    assert chat.asked not in ("age", "economic_status", "self_care")
    assert "83" in chat.text  # the bot says back what it understood


def test_first_question_is_age_with_no_facts(chat):
    chat.say("你好", intent="greet")
    assert chat.asked == "age"
    assert "岁" in chat.text


def test_closed_questions_offer_buttons_including_dont_know(chat):
    chat.say("我妈今年八十三")
    assert chat.asked == "economic_status"
    assert "低保" in chat.buttons() and "不清楚" in chat.buttons()


def test_full_screening_by_buttons_reaches_result_with_departments(chat):
    chat.say("我爸八十五了")
    result = finish(chat, {
        "economic_status": "低保", "self_care": "不能自理", "disability_grade": "没有残疾证",
        "employee_pension_retired": "都没有", "resident_pension_15y": "都没有",
        "special_circumstances": "都没有", "living_situation": "独居", "family_care_training": "是",
    })
    assert 8 in result["eligible"] and 11 in result["eligible"] and 25 in result["eligible"]
    assert chat.slots["eligible_services"] == result["eligible"]
    assert chat.slots["requested_slot"] is None
    assert "长治市民政局" in chat.text and "每月不低于70元" in chat.text
    assert "高龄津贴" in result["summary"]


def test_dont_know_keeps_fact_unknown_and_moves_on(chat):
    chat.say("我妈八十了")
    assert chat.asked == "economic_status"
    chat.say("/dont_know")
    assert "economic_status" not in {k for k, v in chat.slots.items() if v is not None and k == "economic_status"}
    assert chat.asked != "economic_status"
    assert "economic_status" in chat.slots["declined_facts"]


def test_correction_replaces_the_fact(chat):
    chat.say("我妈八十三")
    chat.say("说错了，是七十九", intent="correct")
    # A known age is never changed silently: the bot asks first (contract section 5).
    assert chat.asked == "confirm:age" and chat.slots["confirm_value"] == 79
    assert chat.slots["age"] == 83 and "79" in chat.text and "对吗" in chat.text
    chat.tap("是")
    assert chat.slots["age"] == 79
    assert "改" in chat.text


def test_a_denied_confirmation_keeps_the_old_value(chat):
    chat.say("我妈八十三")
    chat.say("她住在5楼，今年75")
    assert chat.asked == "confirm:age"
    chat.tap("不是")
    assert chat.slots["age"] == 83
    assert chat.asked == "economic_status"


def test_numbers_of_floors_and_people_are_not_ages(chat):
    chat.say("我妈八十三")
    chat.say("她住在5楼，上下楼不方便")
    assert chat.slots["age"] == 83
    chat.say("家里就3口人", entities=[{"entity": "age", "value": "3", "start": 3, "end": 4}])
    assert chat.slots["age"] == 83 and not str(chat.asked).startswith("confirm:age")


def test_side_question_is_answered_then_the_question_comes_back(chat):
    chat.say("我妈八十三")
    assert chat.asked == "economic_status"
    chat.say("什么是低保边缘", intent="ask_definition")
    assert "低保边缘" in chat.text and "收入" in chat.text
    assert chat.asked == "economic_status"
    assert "低保户" in chat.text  # the pending question is asked again


def test_direct_question_about_a_service_is_answered_from_the_list(chat):
    chat.say("高龄津贴一个月多少钱", intent="ask_service_info")
    assert "每月不低于70元" in chat.text and "150" in chat.text and "第8项" in chat.text
    assert "age" not in chat.slots or chat.slots.get("age") is None


def test_hypothetical_age_in_a_question_is_not_the_elders_age(chat):
    chat.say("65岁坐公交免费吗", intent="ask_service_info")
    assert chat.slots.get("age") is None
    assert "免费乘坐市内公交车" in chat.text
    assert "可以享受" in chat.text


def test_why_not_explains_with_the_item_and_what_would_change(chat):
    chat.say("我妈七十岁，低保")
    chat.say("为什么没有高龄津贴", intent="ask_why")
    assert "年满80周岁" in chat.text and "第8项" in chat.text and "还差10年" in chat.text


def test_a_question_is_never_asked_a_third_time(chat):
    chat.say("我妈八十三")
    first = chat.text
    chat.say("嗯嗯啊啊", intent="nlu_fallback")
    assert "没听明白" in chat.text and chat.asked == "economic_status"
    assert chat.text.split("没听明白。")[1] not in first  # asked differently the second time
    chat.say("哦哦哦", intent="nlu_fallback")
    assert chat.asked != "economic_status"  # moved on
    assert "economic_status" in chat.slots["declined_facts"]  # listed in the result as 未确定


def test_out_of_scope_gets_a_kind_answer_and_the_question_again(chat):
    chat.say("我妈八十三")
    chat.say("明天天气咋样", intent="out_of_scope")
    assert "帮不上" in chat.text
    assert chat.asked == "economic_status"


def test_stops_asking_when_nothing_can_change(chat):
    # A 50-year-old: only item 1 (no age condition in the list) can still apply, so the pension
    # is the one question left; after it nothing can change and the result comes at once.
    chat.say("我今年五十岁")
    assert chat.asked == "confirm:age"  # an age under 60 is confirmed before it counts
    chat.tap("是")
    assert chat.asked == "employee_pension_retired"
    chat.tap("都没有")
    assert chat.result() is not None
    assert chat.slots["eligible_services"] == []


def asked_until_result(chat, limit: int = 12) -> set:
    """Answer 都没有 to the rare situations and 不清楚 to everything else; the facts asked."""
    seen = set()
    for _ in range(limit):
        if chat.result():
            break
        seen.add(chat.asked)
        chat.tap("都没有") if chat.asked == "special_circumstances" else chat.tap("不清楚")
    return seen


def test_extreme_poverty_asks_support_mode_and_others_do_not(chat):
    chat.say("我爹七十五，五保户")
    assert "support_mode" in asked_until_result(chat)

    other = type(chat)()
    other.say("我爹七十五，低保")
    assert "support_mode" not in asked_until_result(other)


def test_approximate_age_is_asked_for_not_recorded(chat):
    chat.say("我妈快八十了")
    assert chat.asked == "age"
    assert chat.slots.get("age") is None  # 快八十 is no age to record
    assert "按79周岁算" in chat.buttons()
    chat.say("八十整")
    assert chat.slots["age"] == 80


def test_approximate_age_not_known_exactly_is_taken_at_its_lowest(chat):
    chat.say("俺爹八十多了，吃低保")
    assert chat.slots.get("age") is None and chat.slots["economic_status"] == "minimum_living"
    chat.say("记不清了")
    assert chat.slots["age"] == 81
    assert chat.asked != "age"


def test_result_changes_after_a_late_correction(chat):
    chat.say("我爸八十五了")
    finish(chat, {
        "economic_status": "以上都不是", "self_care": "能自理", "disability_grade": "没有残疾证",
        "employee_pension_retired": "都没有", "resident_pension_15y": "都没有",
        "special_circumstances": "都没有", "living_situation": "和子女",
    })
    assert 9 not in chat.slots["eligible_services"]
    chat.say("不对，他是低保户", intent="correct")
    assert chat.slots["economic_status"] == "minimum_living"
    assert 9 in chat.slots["eligible_services"]


def test_start_screening_button_starts_with_the_first_question(chat):
    chat.say("/start_screening")
    assert chat.asked == "age"
    assert "没听明白" not in chat.text


def test_none_of_the_rare_situations_keeps_one_already_told(chat):
    chat.say("俺爹是老复员军人，八十二了")
    assert chat.slots["veteran_category"] == "demobilized_veteran"
    asked = asked_until_result(chat)
    assert "special_circumstances" in asked  # 都没有 was tapped for the other rare situations
    assert chat.slots["veteran_category"] == "demobilized_veteran"


def test_a_county_list_names_the_local_office_in_the_chat_result(chat, monkeypatch):
    from policy_kb import sources

    example = Path(__file__).resolve().parents[2] / "policy_kb/data/changzhi-2024/overlays/example-luzhou.yaml"
    monkeypatch.setenv("POLICY_KB_OVERLAYS", str(example))
    monkeypatch.setenv("POLICY_KB_ALLOW_EXAMPLES", "1")
    sources.reset()
    try:
        chat.say("我妈八十三，吃低保，瘫在床上，在潞州区住")
        for _ in range(14):
            if chat.result():
                break
            chat.tap("都没有") if chat.asked == "special_circumstances" else chat.tap("不清楚")
        assert chat.result() is not None
        assert "潞州区民政局" in chat.text  # the county list names the office; the city list does not
    finally:
        monkeypatch.delenv("POLICY_KB_OVERLAYS")
        sources.reset()
    chat2 = type(chat)()
    chat2.say("我妈八十三，吃低保，瘫在床上，在潞州区住")
    for _ in range(14):
        if chat2.result():
            break
        chat2.tap("都没有") if chat2.asked == "special_circumstances" else chat2.tap("不清楚")
    assert "潞州区民政局" not in chat2.text
