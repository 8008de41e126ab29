"""The Entities tab of the chat page in a real headless Chromium, over a real index.

A French reader opens the tab, sees Khalifa Haftar in the table (one row for "Haftar", "Khalifa
Haftar" and "maréchal Haftar"), picks him, and gets his other spellings, his articles and his
timeline with dated quotes and their outlet, in French.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_browser import CHROMIUM, WAIT_MS, new_service, open_browser, serving
from test_entities import FRENCH

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():  # pragma: no cover - the CI setup installs it
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[str]:
    service = new_service(tmp_path_factory.mktemp("browser-entities"), embedder)
    assert service.add_mapping(dict(FRENCH)).counts()["added"] == 1
    with serving(service) as url:
        yield url


def test_entities_tab_lists_them_and_shows_one_with_its_timeline(base_url, tmp_path_factory) -> None:
    expect = sync_api.expect
    with sync_api.sync_playwright() as playwright:
        context = open_browser(playwright, tmp_path_factory, "fr-FR")
        try:
            page = context.new_page()
            page.goto(base_url)
            page.locator("#question textarea").wait_for(timeout=WAIT_MS)
            page.get_by_role("tab", name="Entités").click()
            table = page.locator("#entities-table")
            expect(table).to_contain_text("Khalifa Haftar", timeout=WAIT_MS)
            expect(table).to_contain_text("personne")
            expect(table).to_contain_text("Première date")
            assert table.get_by_text("Haftar", exact=True).count() == 0  # one row, not one per spelling

            table.get_by_text("Khalifa Haftar", exact=True).first.click()
            detail = page.locator("#entity-detail")
            expect(detail.locator("h3")).to_have_text("Khalifa Haftar", timeout=WAIT_MS)
            expect(detail.locator(".cb-aliases")).to_contain_text("Aussi écrit")
            expect(detail.locator(".cb-aliases")).to_contain_text("Haftar")
            expect(detail.locator(".cb-entity-docs li")).to_have_count(2)
            event = detail.locator(".cb-event").first
            expect(event).to_contain_text("2019-04-06", timeout=WAIT_MS)
            expect(event).to_contain_text("exemple-infos.fr")
            expect(event.locator(".cb-passage")).to_contain_text("Haftar")

            page.locator("#entity-search input, #entity-search textarea").first.fill("Libye")
            page.locator("#entity-search input, #entity-search textarea").first.press("Enter")
            expect(table).not_to_contain_text("Khalifa Haftar", timeout=WAIT_MS)
            expect(table).to_contain_text("lieu")
        finally:
            context.close()
