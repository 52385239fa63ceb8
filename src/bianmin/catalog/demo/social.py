"""Demo items of 人社, 医保 and 退役军人: employment, social insurance, veterans."""

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

ITEMS = {
    "RS-001": item(
        name="就业登记和失业登记",
        item_type="public_service",
        department="RS",
        legal_basis=(
            "《中华人民共和国就业促进法》；"
            "《就业服务与就业管理规定》（劳动和社会保障部令第28号）第六章“就业与失业登记”。"
        ),
        conditions=(
            "法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者，可在常住地"
            "办理失业登记；已就业人员由用人单位或本人办理就业登记。"
        ),
        accept_levels=["district", "town", "village"],
        statutory_limit_days=1,
        promised_limit_days=0,
        online=True,
        max_visits=0,
        result_name="《就业创业证》（电子证）",
        result_certificate_type="unemployment_card",
        eligible_min_age=16,
        materials=[
            id_card(),
            material(
                "residence-permit",
                "居住证",
                form="original",
                requirement="conditional",
                condition="非本市户籍人员在常住地登记的",
                shared_source="residence_permit",
            ),
            material(
                "termination",
                "解除或终止劳动关系证明",
                form="copy",
                requirement="conditional",
                condition="曾经就业、因解除或终止劳动关系失业的",
                essential=False,
                common_mistakes="证明未加盖单位公章；未写明解除或终止日期。",
            ),
        ],
        steps=[
            step("受理", "RS", 1, 0, "accept"),
            step("登记并发放电子就业创业证", "RS", 2, 0, "decide"),
        ],
    ),
    "RS-002": item(
        name="失业保险金申领",
        item_type="benefit",
        department="RS",
        legal_basis=(
            "《中华人民共和国社会保险法》第四十五条、第五十条；"
            "《失业保险条例》（国务院令第258号）；"
            "《失业保险金申领发放办法》（劳动和社会保障部令第8号）。"
        ),
        conditions=(
            "失业前用人单位和本人已经缴纳失业保险费满一年；非因本人意愿中断就业；"
            "已经进行失业登记，并有求职要求。"
        ),
        accept_levels=["district", "town"],
        statutory_limit_days=10,
        promised_limit_days=3,
        online=True,
        max_visits=0,
        result_name="失业保险待遇核定通知",
        eligible_tags=["unemployed"],
        materials=[
            id_card(),
            material(
                "termination",
                "解除或终止劳动关系证明",
                form="original",
                common_mistakes="证明未加盖单位公章；解除原因写成“个人辞职”的不符合领取条件。",
            ),
            material(
                "contributions",
                "失业保险参保缴费记录",
                form="electronic",
                shared_source="social_insurance",
                source_note="社会保险经办机构内部核查，无需申请人提供",
            ),
            bank_account(),
        ],
        steps=[
            step("受理", "RS", 1, 0, "accept"),
            step("领取资格审核", "RS", 2, 2),
            step("核定待遇并发放", "RS", 3, 1, "decide"),
        ],
    ),
    "RS-003": item(
        name="灵活就业人员参加企业职工基本养老保险登记",
        item_type="public_service",
        department="RS",
        legal_basis="《中华人民共和国社会保险法》第十条、第五十八条；《社会保险费征缴暂行条例》。",
        conditions="无雇工的个体工商户、未在用人单位参加基本养老保险的非全日制从业人员以及其他灵活就业人员。",
        accept_levels=["city", "district", "town"],
        statutory_limit_days=15,
        promised_limit_days=0,
        online=True,
        max_visits=0,
        result_name="社会保险参保登记",
        eligible_min_age=16,
        materials=[
            id_card(),
            material(
                "residence-permit",
                "居住证",
                form="original",
                requirement="conditional",
                condition="非本市户籍人员在本市参保的",
                shared_source="residence_permit",
            ),
        ],
        steps=[step("受理并登记", "RS", 1, 0, "decide")],
    ),
    "RS-004": item(
        name="城乡居民基本养老保险参保登记",
        item_type="public_service",
        department="RS",
        legal_basis=(
            "《中华人民共和国社会保险法》第二十条、第二十一条；"
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）。"
        ),
        conditions=(
            "年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险"
            "制度覆盖范围的城乡居民，可以在户籍地参加城乡居民养老保险。"
        ),
        accept_levels=["town", "village"],
        statutory_limit_days=15,
        promised_limit_days=5,
        online=True,
        max_visits=1,
        result_name="城乡居民养老保险参保登记",
        eligible_min_age=16,
        materials=[
            id_card(),
            hukou(),
            material(
                "form",
                "《城乡居民基本养老保险参保登记表》",
                form="original",
                sample="选择缴费档次，由本人签字或按手印。",
                common_mistakes="漏选缴费档次；代签名。",
            ),
            proxy(),
        ],
        steps=[
            step("村（社区）代办员受理", "RS", 1, 1, "accept"),
            step("街道（乡镇）社保服务所审核", "RS", 2, 2),
            step("区社会保险经办机构登记", "RS", 3, 2, "decide"),
        ],
    ),
    "RS-005": item(
        name="参保人员死亡丧葬补助金、抚恤金申领",
        item_type="benefit",
        department="RS",
        legal_basis="《中华人民共和国社会保险法》第十七条、第四十九条。",
        conditions="参加基本养老保险的个人因病或者非因工死亡的，其遗属可以领取丧葬补助金和抚恤金。",
        accept_levels=["district", "town"],
        statutory_limit_days=20,
        promised_limit_days=10,
        online=True,
        max_visits=0,
        allows_deficiency=True,
        result_name="丧葬补助金、抚恤金核定通知",
        materials=[
            material(
                "death",
                "死亡证明",
                form="electronic",
                shared_source="death",
                source_note="公安、卫健共享，无需申请人提供",
            ),
            id_card("申领人居民身份证"),
            hukou(
                requirement="conditional",
                condition="申领人与参保人在同一户口簿上的（用于证明亲属关系）",
            ),
            marriage("申领人为参保人配偶的"),
            bank_account(),
        ],
        steps=[
            step("受理", "RS", 1, 1, "accept"),
            step("待遇审核", "RS", 2, 5),
            step("核定发放", "RS", 3, 4, "decide"),
        ],
    ),
    "YB-001": item(
        name="城乡居民基本医疗保险参保登记",
        item_type="public_service",
        department="YB",
        legal_basis=(
            "《中华人民共和国社会保险法》第二十五条；"
            "《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）。"
        ),
        conditions="除职工基本医疗保险应参保人员以外的其他城乡居民，含新生儿、学生和灵活就业人员。",
        accept_levels=["city", "district", "town", "village"],
        statutory_limit_days=15,
        promised_limit_days=0,
        online=True,
        max_visits=0,
        result_name="城乡居民医保参保登记",
        materials=[
            id_card("参保人居民身份证或户口簿"),
            material(
                "birth-certificate",
                "出生医学证明",
                form="original",
                requirement="conditional",
                condition="新生儿参保的",
                shared_source="birth_certificate",
                source_note="助产机构签发（电子证照）",
            ),
            material(
                "residence-permit",
                "居住证",
                form="original",
                requirement="conditional",
                condition="非本市户籍人员在本市参保的",
                shared_source="residence_permit",
            ),
        ],
        steps=[step("受理并登记", "YB", 1, 0, "decide")],
    ),
    "TYJR-001": item(
        name="退役军人优待证申领",
        item_type="public_service",
        department="TYJR",
        legal_basis=(
            "《中华人民共和国退役军人保障法》；《退役军人、其他优抚对象优待证管理办法（试行）》。"
        ),
        conditions="退役军人和其他优抚对象，向户籍地退役军人服务站提出申请。",
        accept_levels=["town", "village"],
        statutory_limit_days=30,
        promised_limit_days=20,
        online=True,
        max_visits=1,
        result_name="中华人民共和国退役军人优待证",
        result_certificate_type="veteran_card",
        eligible_tags=["veteran"],
        materials=[
            id_card(),
            material(
                "discharge",
                "退役证件（退伍证、转业证等）",
                form="both",
                common_mistakes="复印件未包含照片页和退役日期页。",
            ),
            photo(),
        ],
        steps=[
            step("村（社区）退役军人服务站受理", "TYJR", 1, 2, "accept"),
            step("街道（乡镇）退役军人服务站初审", "TYJR", 2, 3),
            step("区退役军人事务局审核", "TYJR", 3, 5, "decide"),
            step("制证发放", "TYJR", 4, 10, "deliver"),
        ],
    ),
}
