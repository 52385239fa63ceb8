from __future__ import annotations

import logging

from bianmin.core import crypto
from bianmin.core.masking import PiiLogFilter, mask_id_number, mask_phone, mask_text


def test_mask_id_first6_last4():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"


def test_mask_text_leaves_grid_and_division_codes():
    text = "网格 42010200200301 社区 420102002003 身份证 110105491231002 电话 13912345678"
    masked = mask_text(text)
    assert "42010200200301" in masked and "420102002003" in masked
    assert "110105491231002" not in masked and "13912345678" not in masked


def test_mask_text_hides_a_temporary_password():
    sms = "【便民服务】您的登录密码已重置，临时密码：k7mq2xw9ab。请尽快登录并设置新密码。"
    masked = mask_text(sms)
    assert "k7mq2xw9ab" not in masked and "临时密码：******。" in masked


def test_encryption_round_trip_and_randomised():
    a, b = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert a != b  # random nonce: equal numbers don't show as equal ciphertexts
    assert crypto.decrypt(a) == "11010519491231002X"
    assert "11010519491231002X" not in a


def test_lookup_hash_is_keyed_and_stable(settings):
    h = crypto.lookup_hash("11010519491231002X")
    assert h == crypto.lookup_hash("11010519491231002X")
    settings.FIELD_ENCRYPTION_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    assert crypto.lookup_hash("11010519491231002X") != h


def test_log_filter_masks_records(caplog):
    logger = logging.getLogger("bianmin.test")
    logger.addFilter(PiiLogFilter())
    with caplog.at_level(logging.INFO):
        logger.info("lookup %s phone %s", "11010519491231002X", "13812345678")
    assert "11010519491231002X" not in caplog.text
    assert "13812345678" not in caplog.text
    assert "110105********002X" in caplog.text
