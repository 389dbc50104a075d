import logging

from bot.logs import PersonalDataFilter, mask_personal_data


def test_phone_numbers_and_emails_are_masked():
    masked = mask_personal_data("from whatsapp:+6281322740915 and 0813-2274-0915, mail siti.r@gmail.com")
    assert "2274" not in masked
    assert "+6281****915" in masked
    assert "s***@gmail.com" in masked


def test_filter_masks_formatted_arguments(caplog):
    logger = logging.getLogger("test.masking")
    logger.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("customer %s wrote", "081322740915")
    assert "081322740915" not in caplog.text
    assert "081****915" in caplog.text
