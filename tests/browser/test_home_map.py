"""The home page's map in Chromium: a keyboard reaches each country with a profile by its name."""

from tests.profiles.factories import CountryFactory

FOCUSED = """() => {
  const el = document.activeElement;
  return {inMap: !!el.closest('svg.world-map-svg'), label: el.getAttribute('aria-label'),
          href: el.getAttribute('href')};
}"""


def test_map_countries_are_reached_and_followed_with_the_keyboard(
    live_server, demo_data, page, screenshot
):
    CountryFactory(iso_code="LV", name="Latvia", slug="latvia")
    page.goto(live_server.url + "/")
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inMap"]:
            reached.append(focused)
        elif reached:
            break
    assert [(f["href"], f["label"].split(":")[0]) for f in reached] == [
        ("/countries/lv/", "Latvia"),
        ("/countries/lt/", "Lithuania"),
    ]
    page.keyboard.press("Shift+Tab")
    screenshot("map-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/countries/lt/")
