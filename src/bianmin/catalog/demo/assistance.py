"""Demo items of 民政 and 残联: social assistance (一门受理、协同办理), the elderly, disability."""

from __future__ import annotations

from bianmin.catalog.demo.common import (
    bank_account,
    hukou,
    id_card,
    item,
    marriage,
    material,
    photo,
    proxy,
    step,
)

_SOCIAL_ASSISTANCE = "《社会救助暂行办法》（国务院令第649号）"


def _application(name: str) -> dict:
    return material(
        "application",
        name,
        form="original",
        sample="写明家庭人口、收入来源、困难情况和申请理由，由申请人签字。",
        common_mistakes="未写明困难原因；未由申请人本人签字或按手印。",
    )


def _authorisation() -> dict:
    return material(
        "authorisation",
        "家庭经济状况核对授权书",
        form="original",
        sample="共同生活的家庭成员中的成年人均须本人签字。",
        common_mistakes="漏签部分成年家庭成员。",
    )


def _disability_card(condition: str) -> dict:
    return material(
        "disability-card",
        "中华人民共和国残疾人证",
        form="original",
        requirement="conditional",
        condition=condition,
        essential=False,
        shared_source="disability_card",
        source_note="残联（电子证照）",
    )


ITEMS = {
    "MZ-001": item(
        name="最低生活保障申请",
        item_type="benefit",
        department="MZ",
        legal_basis=f"{_SOCIAL_ASSISTANCE}第二章；《最低生活保障审核确认办法》（民发〔2021〕57号）。",
        conditions=(
            "共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合当地最低生活保障家庭"
            "财产状况规定的家庭，可以以家庭为单位向户籍所在地街道（乡镇）提出申请，"
            "也可以委托村（社区）代为提出。"
        ),
        accept_levels=["town", "village"],
        statutory_limit_days=30,
        promised_limit_days=20,
        online=True,
        max_visits=1,
        allows_deficiency=True,
        result_name="最低生活保障审批决定（低保证）",
        materials=[
            _application("最低生活保障申请书"),
            id_card("共同生活家庭成员居民身份证"),
            hukou(),
            _authorisation(),
            material(
                "income",
                "家庭收入和财产状况申报表",
                form="original",
                common_mistakes="漏报存款、车辆或外出务工收入。",
            ),
            marriage("家庭成员已婚或离异的"),
            _disability_card("家庭成员有残疾的"),
            material(
                "medical",
                "重大疾病诊断证明和医疗费用票据",
                form="copy",
                requirement="conditional",
                condition="因病致贫申请的",
                essential=False,
            ),
            proxy(),
        ],
        steps=[
            step("村（社区）受理", "MZ", 1, 2, "accept"),
            step("入户调查", "MZ", 2, 7),
            step("家庭经济状况信息核对", "MZ", 2, 7),
            step("街道（乡镇）审核、民主评议和公示", "MZ", 3, 6),
            step("区民政局审批", "MZ", 4, 5, "decide"),
            step("结果送达", "MZ", 5, 0, "deliver"),
        ],
    ),
    "MZ-002": item(
        name="特困人员救助供养申请",
        item_type="benefit",
        department="MZ",
        legal_basis=f"{_SOCIAL_ASSISTANCE}第三章；《特困人员认定办法》（民发〔2021〕43号）。",
        conditions=(
            "同时具备以下条件的老年人、残疾人和未满16周岁的未成年人：无劳动能力；无生活来源；"
            "无法定赡养、抚养、扶养义务人或者其法定义务人无履行义务能力。"
        ),
        accept_levels=["town", "village"],
        statutory_limit_days=30,
        promised_limit_days=20,
        online=True,
        max_visits=1,
        result_name="特困人员认定决定（救助供养证）",
        materials=[
            _application("特困人员救助供养申请书"),
            id_card(),
            hukou(),
            _authorisation(),
            _disability_card("以残疾人身份申请的"),
            proxy(),
        ],
        steps=[
            step("受理", "MZ", 1, 2, "accept"),
            step("调查核实", "MZ", 2, 8),
            step("街道（乡镇）审核并公示", "MZ", 3, 5),
            step("区民政局确认", "MZ", 4, 5, "decide"),
        ],
    ),
    "MZ-003": item(
        name="临时救助申请",
        item_type="benefit",
        department="MZ",
        legal_basis=f"{_SOCIAL_ASSISTANCE}第九章；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）。",
        conditions=(
            "因火灾、交通事故等意外事件，家庭成员突发重大疾病等原因，导致基本生活暂时出现严重"
            "困难的家庭；因生活必需支出突然增加超出家庭承受能力的最低生活保障家庭；"
            "遭遇其他特殊困难的家庭。情况紧急的，先行救助，事后补齐材料。"
        ),
        accept_levels=["town", "village"],
        statutory_limit_days=20,
        promised_limit_days=10,
        online=True,
        max_visits=1,
        allows_deficiency=True,
        result_name="临时救助审批决定",
        materials=[
            _application("临时救助申请书"),
            id_card(),
            hukou(),
            material(
                "hardship",
                "遭遇困难的相关证明（医疗费用票据、事故或受灾证明等）",
                form="copy",
                essential=False,
                common_mistakes="票据不是原始票据的复印件；无法看清金额。",
            ),
        ],
        steps=[
            step("受理", "MZ", 1, 1, "accept"),
            step("调查审核", "MZ", 2, 5),
            step("区民政局审批", "MZ", 3, 4, "decide"),
        ],
    ),
    "MZ-004": item(
        name="高龄津贴申领",
        item_type="benefit",
        department="MZ",
        legal_basis="《中华人民共和国老年人权益保障法》第三十三条；本市高龄津贴制度的有关规定。",
        conditions="具有本市户籍、年满80周岁的老年人。",
        accept_levels=["town", "village"],
        statutory_limit_days=20,
        promised_limit_days=10,
        online=True,
        max_visits=0,
        result_name="高龄津贴按月发放",
        eligible_min_age=80,
        materials=[id_card("老年人居民身份证"), hukou(), bank_account(), proxy()],
        steps=[
            step("村（社区）受理", "MZ", 1, 2, "accept"),
            step("街道（乡镇）审核", "MZ", 2, 4),
            step("区民政局审批", "MZ", 3, 4, "decide"),
        ],
    ),
    "MZ-005": item(
        name="老年人优待证办理",
        item_type="public_service",
        department="MZ",
        legal_basis=(
            "《中华人民共和国老年人权益保障法》第五章“社会优待”；"
            "《关于进一步加强老年人优待工作的意见》（全国老龄办发〔2013〕97号）。"
        ),
        conditions="年满60周岁的本市户籍老年人和常住本市的外地老年人。",
        accept_levels=["district", "town", "village"],
        statutory_limit_days=5,
        promised_limit_days=0,
        online=True,
        max_visits=1,
        result_name="老年人优待证",
        result_certificate_type="elderly_card",
        eligible_min_age=60,
        materials=[id_card("老年人居民身份证"), photo()],
        steps=[step("受理并制证", "MZ", 1, 0, "decide")],
    ),
    "MZ-006": item(
        name="困难残疾人生活补贴和重度残疾人护理补贴申请",
        item_type="benefit",
        department="MZ",
        legal_basis=(
            "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"
            "（国发〔2015〕52号）。"
        ),
        conditions=(
            "生活补贴：最低生活保障家庭中的残疾人；护理补贴：残疾等级为一级、二级且需要长期"
            "照护的重度残疾人。"
        ),
        accept_levels=["town", "village"],
        statutory_limit_days=30,
        promised_limit_days=15,
        online=True,
        max_visits=1,
        allows_deficiency=True,
        result_name="两项补贴审定决定",
        eligible_tags=["disabled"],
        materials=[
            _application("困难残疾人生活补贴和重度残疾人护理补贴申请审批表"),
            id_card(),
            material(
                "disability-card",
                "中华人民共和国残疾人证（第二代）",
                form="original",
                shared_source="disability_card",
                source_note="残联（电子证照）",
            ),
            material(
                "dibao",
                "最低生活保障证明",
                form="electronic",
                requirement="conditional",
                condition="申请生活补贴的",
                shared_source="dibao",
                source_note="民政部门共享，无需申请人提供",
            ),
            bank_account(),
            proxy(),
        ],
        steps=[
            step("受理", "MZ", 1, 2, "accept"),
            step("街道（乡镇）初审", "MZ", 2, 5),
            step("区残联审核残疾等级", "CL", 3, 5),
            step("区民政局审核救助对象身份", "MZ", 3, 5),
            step("区民政局审定", "MZ", 4, 3, "decide"),
        ],
    ),
    "CL-001": item(
        name="残疾人证新办",
        item_type="confirmation",
        department="CL",
        legal_basis=(
            "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》（残联发〔2017〕64号）。"
        ),
        conditions="符合残疾标准的本市户籍视力、听力、言语、肢体、智力、精神及多重残疾人。",
        accept_levels=["district", "town", "village"],
        statutory_limit_days=30,
        promised_limit_days=20,
        online=True,
        max_visits=1,
        result_name="中华人民共和国残疾人证",
        result_certificate_type="disability_card",
        materials=[
            material(
                "application",
                "《中华人民共和国残疾人证申请表》",
                form="original",
                common_mistakes="残疾类别填写与诊断不一致。",
            ),
            id_card(),
            hukou(),
            photo(copies=3, spec="近期二寸免冠白底彩色照片"),
            material(
                "medical",
                "相关病历、诊断证明",
                form="copy",
                requirement="optional",
                essential=False,
                source_note="有则提供，便于评定",
            ),
            proxy(),
        ],
        steps=[
            step("街道（乡镇）残联受理", "CL", 1, 1, "accept"),
            step("残疾评定（指定医疗机构）", "WJ", 2, 12),
            step("户籍和申请资格审核", "CL", 2, 5),
            step("区残联审核发证", "CL", 3, 5, "decide"),
            step("证件送达", "CL", 4, 0, "deliver"),
        ],
    ),
}
