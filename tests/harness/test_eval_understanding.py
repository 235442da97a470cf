"""scripts/eval_understanding.py: the metrics, computed on a tiny corpus with a scripted bot."""
import json

import eval_understanding as EU
import harness_lib as H
import pytest
from conftest import outcome

AGE_Q = "老人今年多大岁数？"

# The scripted bot's reply to each fixture utterance (tests/harness/fixtures/blind.yml).
SCRIPT = {
    "俺爹今年八十三了": outcome({"age": 83, "requested_slot": "economic_status"}, "记下了：年龄：83周岁。", "家里是低保户吗？"),
    "我妈吃低保": outcome({"requested_slot": "confirm:economic_status", "confirm_value": "minimum_living"}, "您是说低保，对吗？"),
    "三级残疾有没有补助？": outcome({"disability_grade": 3, "requested_slot": "age"}, "记下了：残疾人证等级：三级。", AGE_Q),
    "这个俺也说不上来": outcome({"declined_facts": ["self_care"], "requested_slot": "age"}, "没关系，这个先放一放。", AGE_Q),
    "她住在5楼，上下楼不方便": outcome({"age": 5}, "好的，已经改成：年龄：5周岁。"),
    "一直种地，没在单位上过班": outcome({"employee_pension_retired": False, "resident_pension_15y": False}, "记下了。"),
    "就我爸一个人住": outcome({"living_situation": "with_family"}, "记下了：和家人同住。"),
    "自己能做饭能走路": outcome({"requested_slot": "confirm:self_care", "confirm_value": "partial"}, "您是说半失能，对吗？"),
}
REAL_SCRIPT = {
    "高龄津贴一个月多少钱": outcome({}, "高龄津贴：80至89周岁每月不低于70元。请向长治市民政局（所在县区民政部门）申请。"),
    "八十五岁的老人有什么补贴": outcome({}, "高龄津贴每月不低于170元，长治市民政局发放。"),
    "坐公交要多大岁数免费": outcome({}, "65周岁以上免费乘坐市内公交车。"),
    "住院能报销多少": outcome({}, "这个不在养老服务清单里，可以问问医保部门。"),
}


@pytest.fixture
def scripted(monkeypatch):
    script = {**SCRIPT, **REAL_SCRIPT}
    monkeypatch.setattr(H, "turn", lambda slots, msg, today: script[msg.text])
    return script


def run(fixtures, capsys, *extra):
    code = EU.main([str(fixtures / "blind.yml"), str(fixtures / "real.yml"), "--nlu", "none", *extra])
    return code, capsys.readouterr()


def test_blind_metrics_count_right_confirmed_wrong_and_missed(fixtures, scripted, capsys, tmp_path):
    out = tmp_path / "r.json"
    code, _ = run(fixtures, capsys, "--json", str(out))
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    o = data["overall"]
    assert o["utterances"] == 8
    assert o["heard_exactly"] == 3  # 83 heard, 低保 confirmed right, 不知道 declined
    assert o["heard_exactly_confirmed"] == 1
    # 三级 taken from a question, 5楼 as an age, pension's unstated second fact, 独居 heard as 同住
    assert o["wrong_fact_utterances"] == 4
    assert o["confirmations_asked"] == 2 and o["confirmations_of_wrong_reading"] == 1
    assert (o["questions"], o["questions_recognised"]) == (1, 0)
    assert (o["unknown"], o["unknown_declined"]) == (1, 1)
    f = data["per_fact"]
    assert f["age"] == {"labelled": 1, "right": 1, "confirmed": 0, "extra": 1}
    assert f["economic_status"]["confirmed"] == 1
    assert f["living_situation"]["wrong_value"] == 1 and f["living_situation"].get("right", 0) == 0
    assert f["self_care"]["missed"] == 1  # a wrong confirmation is neither right nor silent
    assert f["resident_pension_15y"]["extra"] == 1 and f["disability_grade"]["extra"] == 1
    assert data["per_kind"]["answer"]["exact"] == 1  # only 83 of the four answers


def test_real_questions_need_service_amount_and_department(fixtures, scripted, capsys, tmp_path):
    out = tmp_path / "r.json"
    run(fixtures, capsys, "--json", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    o = data["overall"]
    assert (o["real_questions"], o["real_right"]) == (3, 1)
    real = {r["id"]: r for r in data["real"]}
    assert real["r1"]["right"]
    assert real["r2"]["service_ok"] and not real["r2"]["amount_ok"]  # 170元 is not 70元
    assert real["r3"]["service_ok"] and real["r3"]["amount_ok"] is None and not real["r3"]["department_ok"]
    assert real["r4"]["avoids_claim"] and o["real_no_service_avoided"] == 1


def test_a_reply_naming_a_service_to_an_off_list_question_is_a_claim(fixtures, scripted, capsys, tmp_path):
    scripted["住院能报销多少"] = outcome({}, "可以申请高龄津贴。")
    out = tmp_path / "r.json"
    run(fixtures, capsys, "--json", str(out))
    real = {r["id"]: r for r in json.loads(out.read_text(encoding="utf-8"))["real"]}
    assert real["r4"]["avoids_claim"] is False and real["r4"]["named"] == [8]


def test_question_recognised_only_when_the_reply_answers_from_the_list(monkeypatch):
    e = {"id": "q", "kind": "question", "asked": None, "text": "三级残疾有没有补助？", "facts": {}, "prior": {},
         "unknown": []}
    answer = outcome({"requested_slot": "age"}, "三级残疾的老人，符合条件的可以领困难残疾人生活补贴，找长治市民政局。",
                     "要帮您查查老人自己的情况吗？老人今年多大岁数？")
    monkeypatch.setattr(H, "turn", lambda *a: answer)
    assert EU.judge_blind(e, H.Nlu("none"), None)["question_recognised"]
    # A screening question that mentions a service (培训补贴) is not an answer.
    only_q = outcome({"requested_slot": "family_care_training"}, "家里有没有人想参加照护培训？参加了可以领培训补贴吗？")
    monkeypatch.setattr(H, "turn", lambda *a: only_q)
    assert not EU.judge_blind(e, H.Nlu("none"), None)["question_recognised"]
    # An answer that also records the question's condition as a fact is not recognised as a question.
    taken = outcome({"disability_grade": 3}, "三级残疾可以领困难残疾人生活补贴，找长治市民政局。")
    monkeypatch.setattr(H, "turn", lambda *a: taken)
    r = EU.judge_blind(e, H.Nlu("none"), None)
    assert not r["question_recognised"] and r["wrong"] == {"disability_grade": 3}


def test_a_fact_restated_as_known_is_no_change(monkeypatch):
    e = {"id": "p", "kind": "statement", "asked": None, "text": "她82了", "facts": {"age": 82}, "prior": {"age": 82},
         "unknown": []}
    seen = {}

    def bot(slots, msg, today):
        seen.update(slots)
        return outcome({"age": 82})
    monkeypatch.setattr(H, "turn", bot)
    r = EU.judge_blind(e, H.Nlu("none"), None)
    assert r["exact"] and not r["wrong"] and seen == {"age": 82}


def test_asked_key_sets_the_pending_question():
    assert H.asked_slots("pension") == {"requested_slot": "employee_pension_retired", "asked_group": "pension"}
    assert H.asked_slots("special_circumstances")["requested_slot"] == "special_circumstances"
    assert H.asked_slots("self_care") == {"requested_slot": "self_care", "asked_group": "self_care"}
    assert H.asked_slots(None) == {}


def test_amount_strings_come_from_the_list():
    assert H.amount_tokens(8) == ["150元", "300元", "70元"]
    assert H.has_amount("每月不低于70元", H.amount_tokens(8))
    assert not H.has_amount("每月170元", H.amount_tokens(8)) and not H.has_amount("70.5元", ["70元"])


@pytest.mark.parametrize("content, message", [
    (None, "找不到盲测语料文件"),
    ("- [not, a, mapping]\n", "不是键值对"),
    ("- {id: x1, text: 我妈八十, facts: {agee: 80}}\n", "agee"),
    ("- {id: x2, text: 我妈八十, facts: {age: 八十}}\n", "x2"),
    ("- {id: x3, text: 我妈八十, kind: rumour}\n", "kind"),
    (": : :\n", "YAML"),
])
def test_bad_input_file_exits_2_with_a_clear_message(tmp_path, fixtures, capsys, content, message):
    path = tmp_path / "corpus.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = EU.main([str(path), str(fixtures / "real.yml"), "--nlu", "none"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_runs_against_the_real_dialogue_core(fixtures, capsys):
    """The real handle(), no model: the report comes out whatever the figures."""
    code = EU.main([str(fixtures / "blind.yml"), str(fixtures / "real.yml"), "--nlu", "none", "--fails", "3"])
    out = capsys.readouterr().out
    assert code == 0 and "盲测语料：8 句" in out and "真实问题：3 条" in out


def test_nlu_parses_are_cached_per_model_file(tmp_path, monkeypatch):
    model = tmp_path / "model-abc.tar.gz"
    model.write_bytes(b"x")
    monkeypatch.setattr(H, "model_path", lambda: model)
    parsed = {"intent": {"name": "inform", "confidence": 0.9}, "entities": [{"entity": "age", "value": "八十"}]}

    class Agent:
        calls = 0

        async def parse_message(self, text):
            Agent.calls += 1
            return parsed
    monkeypatch.setattr(H.Nlu, "_load", lambda self: setattr(self, "agent", Agent()) or setattr(self, "loop", __import__("asyncio").new_event_loop()))
    nlu = H.Nlu("rasa", cache_dir=tmp_path)
    msg = nlu.parse("俺八十了")
    assert (msg.intent, msg.confidence, msg.entities[0]["value"]) == ("inform", 0.9, "八十")
    assert nlu.parse('/inform{"age":80}').entities == [{"entity": "age", "value": 80}]  # payloads never reach the NLU
    nlu.save()
    again = H.Nlu("rasa", cache_dir=tmp_path)
    assert again.parse("俺八十了").intent == "inform" and again.agent is None and Agent.calls == 1
    model.write_bytes(b"retrained")  # another model file: the cache no longer holds
    third = H.Nlu("rasa", cache_dir=tmp_path)
    third.parse("俺八十了")
    assert Agent.calls == 2


def test_offering_a_questions_condition_for_confirmation_is_no_wrong_reading(monkeypatch):
    e = {"id": "c", "kind": "question", "asked": None, "text": "三级残疾有没有补助？", "facts": {}, "prior": {},
         "unknown": [], "conditions": {"disability_grade": 3}}
    reply = outcome({"requested_slot": "confirm:disability_grade", "confirm_value": "3"},
                    "三级残疾的老人，困难的可以领困难残疾人生活补贴（长治市民政局）。", "老人是三级残疾吗？")
    monkeypatch.setattr(H, "turn", lambda *a: reply)
    r = EU.judge_blind(e, H.Nlu("none"), None)
    assert r["exact"] and r["condition_suggested"] and not r["confirm_wrong"] and r["question_recognised"]
    e["conditions"] = {"disability_grade": 2}  # confirming a value the question did not name is a wrong reading
    r = EU.judge_blind(e, H.Nlu("none"), None)
    assert not r["exact"] and r["confirm_wrong"]


def test_a_turn_that_raises_is_counted_not_fatal(fixtures, scripted, capsys, tmp_path, monkeypatch):
    def broken(slots, msg, today):
        if msg.text == "我妈吃低保":
            raise RuntimeError("boom")
        return scripted[msg.text]
    monkeypatch.setattr(H, "turn", broken)
    out = tmp_path / "r.json"
    code, printed = run(fixtures, capsys, "--json", str(out), "--fails", "20")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and data["overall"]["errors"] == 1 and "出错 RuntimeError" in printed.out
    assert data["overall"]["heard_exactly"] == 2  # the crashed turn heard nothing


def test_a_choice_of_elders_counts_as_right_only_when_one_button_is_the_label(monkeypatch):
    from actions.dialogue.messages import msg

    e = {"id": "t", "kind": "statement", "asked": None, "text": "俺公公八十四俺婆婆八十一，婆婆瘫了",
         "facts": {"age": 81, "self_care": "dependent"}, "prior": {}, "unknown": []}
    buttons = [{"title": "公公（84岁）", "payload": H.inform_payload({"age": 84})},
               {"title": "婆婆（81岁）", "payload": H.inform_payload({"age": 81, "self_care": "dependent"})}]
    monkeypatch.setattr(H, "turn", lambda *a: outcome({"requested_slot": "age"}, msg("which_elder"), buttons=buttons))
    r = EU.judge_blind(e, H.Nlu("none"), None)
    assert r["exact"] and r["confirmed"] and not r["wrong"]
    e["facts"] = {"age": 81, "self_care": "partial"}  # no button holds the label: not heard
    r = EU.judge_blind(e, H.Nlu("none"), None)
    assert not r["exact"] and not r["wrong"]
