"""Dates and outlets on the chat page, in a real headless Chromium over the real app and index.

Two reports of the same floods, two days and two outlets apart: the date range picked on the chat
tab narrows the sources an answer cites (a malformed date is refused, naming the field), the outlet
picker lists the indexed outlets, and the Timeline tab lists the dated quotes oldest first, each on
the day it tells of ("yesterday" in a report of 3 March: the 2nd), beside its publication date.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import settings_for
from test_browser import WAIT_MS, ask, last_bot_message, open_browser, serving, sync_api
from test_dated_figures import DERNA

pytestmark = pytest.mark.browser
QUESTION = "How many people died in the Derna floods?"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, embedder) -> Iterator[str]:
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("browser-news") / "index"), embedder=embedder)
    for article in DERNA:
        service.add_mapping(article)
    with serving(service) as url:
        yield url


@pytest.fixture
def page(playwright, tmp_path_factory, base_url) -> Iterator[object]:
    context = open_browser(playwright, tmp_path_factory, "en-US")
    page = context.new_page()
    page.goto(base_url)
    page.locator("#question textarea").wait_for(timeout=WAIT_MS)
    yield page
    context.close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        yield p


def card_dates(page, turn: int) -> set[str]:
    return {t.split(" · ")[0].strip() for t in
            page.locator(f"#sources section[data-turn='{turn}'] .cb-card .cb-meta").all_inner_texts()}


def test_the_date_range_narrows_the_sources_and_a_bad_date_names_its_field(page) -> None:
    ask(page, QUESTION, 1)
    assert card_dates(page, 1) == {"2017-03-03", "2017-03-05"}
    # the card of the 3 March report resolves its "yesterday"
    sync_api.expect(page.locator("#sources .cb-dates").first).to_contain_text("2017-03-02")

    page.locator("#chat-outlets input").click()
    sync_api.expect(page.get_by_role("option", name="alwasat.ly")).to_be_visible()
    sync_api.expect(page.get_by_role("option", name="libyaherald.com")).to_be_visible()
    page.keyboard.press("Escape")

    page.locator("#chat-since textarea, #chat-since input").first.fill("2017-03-04")
    ask(page, QUESTION, 2)
    assert card_dates(page, 2) == {"2017-03-05"}
    assert "25" in last_bot_message(page).inner_text()

    page.locator("#chat-since textarea, #chat-since input").first.fill("2017-03-40")
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#send").click()
    error = last_bot_message(page).locator(".cb-error")
    sync_api.expect(error).to_contain_text("Published since", timeout=WAIT_MS)
    assert page.locator("#sources section[data-turn='3']").count() == 0  # nothing answered from all articles

    page.locator("#chat-since textarea, #chat-since input").first.fill("2018-01-01")
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#send").click()
    sync_api.expect(last_bot_message(page)).to_contain_text("No article matches the filter", timeout=WAIT_MS)


def test_the_timeline_tab_lists_dated_quotes_oldest_first(page) -> None:
    page.get_by_role("tab", name="Timeline").click()
    page.locator("#timeline-query textarea, #timeline-query input").first.fill("Derna floods")
    page.locator("#timeline-show").click()
    events = page.locator("#timeline-events .cb-event")
    sync_api.expect(events).to_have_count(2, timeout=WAIT_MS)
    # the floods of the 3 March report hit "yesterday": the event is dated the day before its report
    assert [e.get_attribute("data-date") for e in events.all()] == ["2017-03-02", "2017-03-05"]
    first = events.first
    assert "2017-03-02" in first.locator(".cb-event-date").inner_text()
    assert "yesterday" in first.locator(".cb-dated-by").inner_text()
    assert "published 2017-03-03 · libyaherald.com" in first.locator(".cb-meta").inner_text()
    assert "Floods hit Derna" in first.locator(".cb-title").inner_text()
    sync_api.expect(first.locator(".cb-dates")).to_contain_text("2017-03-02")
    # the toll of the 5 March report is said "on Sunday", the report's own day: that sentence is the event
    assert "rose to 25 people" in events.nth(1).locator(".cb-quote").inner_text()
    assert "on Sunday" in events.nth(1).locator(".cb-dated-by").inner_text()

    page.locator("#timeline-until textarea, #timeline-until input").first.fill("2017-03-04")
    page.locator("#timeline-show").click()
    sync_api.expect(events).to_have_count(1, timeout=WAIT_MS)
    assert events.first.get_attribute("data-date") == "2017-03-02"

    # a name no article writes: no timeline of the nearest passages, and the tab says why
    page.locator("#timeline-until textarea, #timeline-until input").first.fill("")
    page.locator("#timeline-query textarea, #timeline-query input").first.fill("Jacinda Ardern")
    page.locator("#timeline-show").click()
    sync_api.expect(page.locator("#timeline-events")).to_contain_text(
        "No article found mentions “Jacinda Ardern”", timeout=WAIT_MS)
    sync_api.expect(events).to_have_count(0)
